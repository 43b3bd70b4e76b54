// The two ways the demo page's modules reach the page: elements by id, and the generated assets
// (MNIST files, the pre-trained model) by name. Not for: page state or any panel's logic.
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export const asset = (name: string) => new URL(`./generated/${name}`, document.baseURI).href;
