/** Created by the runtime at start (ADMIN_EMAIL), as `npm start` does for a developer. Never demoted by a test. */
export const BOOTSTRAP_ADMIN = { email: 'admin@example.test', password: 'Adm1n!Passw0rd', name: 'Ada Admin' };
