// Types for the demo page's imports that are not TypeScript: Vite turns CSS imports into styles.
declare module '*.css';
