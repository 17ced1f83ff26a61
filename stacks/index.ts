import { loadPlatform, ModelPlatform, readStackConfig } from "../components";

const { raw, context, huggingFaceToken } = readStackConfig();
const platform = new ModelPlatform("model-services", { plan: loadPlatform(raw, context), huggingFaceToken });

export const endpoint = platform.endpoint;
export const services = platform.services;
export const apiKeys = platform.apiKeys;
export const nodeGroups = platform.nodeGroups;
export const capacity = platform.capacity;
export const playground = platform.playground;
