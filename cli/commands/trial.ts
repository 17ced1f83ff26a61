import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import type OpenAI from "openai";
import { connect, ConnectOptions, Connection } from "../connect";

/** The online trial: chat (with an image for vision services), image generation, embeddings. */

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const imageTypes: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp" };

/** `--image` as an `image_url`: a URL as it is, a file as a data URL. */
export function imageUrl(fileOrUrl: string, read: (file: string) => Buffer = readFileSync): string {
    if (/^(https?|data):/.test(fileOrUrl)) return fileOrUrl;
    const type = imageTypes[path.extname(fileOrUrl).toLowerCase()];
    if (!type) throw new Error(`--image ${fileOrUrl}: expected a .png, .jpg, .gif or .webp file, or an http(s) URL`);
    return `data:${type};base64,${read(fileOrUrl).toString("base64")}`;
}

export function userMessage(prompt: string, image?: string): Message {
    return image ? { role: "user", content: [{ type: "text", text: prompt }, { type: "image_url", image_url: { url: image } }] } : { role: "user", content: prompt };
}

/** Streams one answer to `out` delta by delta, as the tokens arrive; returns the whole text. */
export async function streamAnswer(conn: Connection, messages: Message[], out: NodeJS.WritableStream, maxTokens?: number): Promise<string> {
    const stream = await conn.client.chat.completions.create({ model: conn.model, messages, stream: true, ...(maxTokens ? { max_tokens: maxTokens } : {}) });
    let text = "";
    for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content ?? "";
        if (delta) {
            text += delta;
            out.write(delta);
        }
    }
    out.write("\n");
    return text;
}

async function withConnection<T>(service: string, opts: ConnectOptions, run: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await connect(service, opts);
    try {
        return await run(conn);
    } finally {
        conn.close();
    }
}

export async function chatCommand(service: string, prompt: string | undefined, opts: ConnectOptions & { image?: string; maxTokens?: number }): Promise<number> {
    const image = opts.image ? imageUrl(opts.image) : undefined;
    return withConnection(service, opts, async (conn) => {
        if (prompt !== undefined) {
            await streamAnswer(conn, [userMessage(prompt, image)], process.stdout, opts.maxTokens);
            return 0;
        }
        // Interactive: the conversation so far goes with each question; an empty line or Ctrl-D ends it.
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const messages: Message[] = [];
        process.stdout.write(`Chatting with ${conn.model} (empty line to quit)\n`);
        for (;;) {
            let line: string;
            try {
                line = (await rl.question("> ")).trim();
            } catch {
                break;
            }
            if (line === "") break;
            messages.push(userMessage(line, messages.length === 0 ? image : undefined));
            messages.push({ role: "assistant", content: await streamAnswer(conn, messages, process.stdout, opts.maxTokens) });
        }
        rl.close();
        return 0;
    });
}

export async function imageCommand(service: string, prompt: string, opts: ConnectOptions & { output: string; size?: string }): Promise<number> {
    return withConnection(service, opts, async (conn) => {
        const result = await conn.client.images.generate({ model: conn.model, prompt, response_format: "b64_json", ...(opts.size ? { size: opts.size as "1024x1024" } : {}) });
        const b64 = result.data?.[0]?.b64_json;
        if (!b64) throw new Error(`${conn.model} answered without an image (b64_json)`);
        writeFileSync(opts.output, Buffer.from(b64, "base64"));
        process.stdout.write(`${opts.output}: ${Buffer.from(b64, "base64").length} bytes\n`);
        return 0;
    });
}

export async function embedCommand(service: string, texts: string[], opts: ConnectOptions & { json?: boolean }): Promise<number> {
    return withConnection(service, opts, async (conn) => {
        const result = await conn.client.embeddings.create({ model: conn.model, input: texts });
        if (opts.json) {
            process.stdout.write(`${JSON.stringify(result.data.map((d) => d.embedding))}\n`);
        } else {
            for (const d of result.data) {
                const v = d.embedding as number[];
                process.stdout.write(`[${d.index}] ${v.length} dimensions: ${v.slice(0, 4).map((x) => x.toFixed(4)).join(", ")}, …\n`);
            }
            if (result.usage) process.stdout.write(`${result.usage.prompt_tokens} prompt tokens\n`);
        }
        return 0;
    });
}
