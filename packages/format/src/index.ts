export const packageName = "@tooltune/format";
export { toRow, fromRow, validateConversation, type Conversation, type Message, type ToolCall, type ToolSchema, type Role } from "./conversation.js";
export { encodeToolCall, encodeToolCalls, encodeToolResponse, parseAssistantOutput, parseCallBody, jsonDumps, DEFAULT_MARKERS, type Markers, type CallStyle, type ParsedOutput, type ParseStatus } from "./codec.js";
export { parseLiteral, toPythonRepr } from "./pyliteral.js";
export { getSpecialTokens, SPECIAL_TOKEN_SETS, type SpecialTokenSet } from "./special-tokens.js";
export { getTemplate, TEMPLATE_NAMES, type TemplateName, type TemplateOptions } from "./templates/index.js";
export { trainedText, TRAIN_ON, type ChatTemplate, type Rendered, type TrainOn } from "./templates/types.js";
export { synthStage, synthParams, toolCatalog, openAiTool, validateArgs, generateConversations, generateConversation, KINDS as SYNTH_KINDS, type SynthParams, type Tool, type ToolResult, type FunctionSchema, type Kind as SynthKind, type SynthOptions } from "./synth/index.js";
