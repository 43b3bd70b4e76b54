export { Network, train, RemoteNetwork } from '/work/main/dist/index.js';
