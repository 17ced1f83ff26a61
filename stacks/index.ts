import { ModelPlatform, readStackConfig } from "../components";

const { config, huggingFaceToken } = readStackConfig();
const platform = new ModelPlatform("model-services", { config, huggingFaceToken });

export const endpoint = platform.endpoint;
export const services = platform.services;
export const apiKeys = platform.apiKeys;
export const nodeGroups = platform.nodeGroups;
export const capacity = platform.capacity;
