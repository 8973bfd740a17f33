export * from '../protocol/key-pair.js';
export * from '../protocol/sign-command.js';
export * from './chancery-client.js';
