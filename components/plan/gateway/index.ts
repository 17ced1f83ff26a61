export * from "./contract";
export * from "./input";
export * from "./render";
export * from "./scaleToZero";
