import { render } from 'preact';
import { App } from './app.tsx';
import { loadConfig } from './config.ts';
import './app.css';

const root = document.getElementById('app')!;
try {
  render(<App config={await loadConfig()} />, root);
} catch (error) {
  root.textContent = `Order Chat could not start: ${(error as Error).message}`;
}
