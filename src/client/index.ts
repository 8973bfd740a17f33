export * from './chancery-client.js';
export * from './key-pair.js';
export * from './sign-command.js';
