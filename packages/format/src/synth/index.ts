export { toolCatalog, openAiTool, runTool } from "./catalog/index.js";
export { validateArgs, type Tool, type ToolResult, type FunctionSchema, type Json } from "./catalog/tool.js";
export { generateConversations, generateConversation, KINDS, type Kind, type SynthOptions } from "./generate.js";
export { synthStage } from "./stage.js";
export { synthParams, type SynthParams } from "./params.js";
