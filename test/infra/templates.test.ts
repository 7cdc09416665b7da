// Infrastructure: every assertion on synthesized templates, in one file so they run in one worker and
// share test/infra/synth.ts's synthesized stages (seconds each) and aws-cdk-lib's import.
import './stacks.suite.ts';
import './deployment.suite.ts';
