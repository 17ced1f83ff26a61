import { ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { crc32, deflateSync } from "node:zlib";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageUrl, streamAnswer, userMessage } from "../../cli/commands/trial";

/**
 * chat, chat --image and embed against a real OpenAI-compatible server on CPU: llama-cpp-python's
 * server (pinned in requirements-dev.txt, installed by scripts/lib.sh ensure_python_client) with a
 * tiny random-weight Llama model that test/llm/tiny_gguf.py writes with the `gguf` package, and
 * for vision a tiny random-weight LLaVA-style projector (test/llm/tiny_mmproj.py) that llama.cpp's
 * multimodal library (libmtmd) runs. The answers are nonsense words; the tokenizer, the image
 * decoder and encoder, the sampler, the SSE stream and the key check are llama.cpp's and the
 * server's own.
 */

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..");
const python = process.env.MODEL_SERVICES_PYTHON;
const apiKey = "sk-test-trial-0000";
let dir: string;
let server: ChildProcess;
let endpoint: string;
/** A PNG file as a user passes it to --image, and the prompt tokens the projector makes of any image. */
let png: string;
let imageTokens: number;
/** The server's stderr: llama.cpp's multimodal library logs each image it encodes there. */
let serverLog = "";

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => resolve(port));
        });
    });
}

async function waitForServer(timeoutMs: number): Promise<void> {
    const start = Date.now();
    for (;;) {
        try {
            const res = await fetch(`${endpoint}/models`, { headers: { authorization: `Bearer ${apiKey}` } });
            if (res.ok) return;
        } catch {
            // not listening yet
        }
        if (server.exitCode !== null) throw new Error(`llama_cpp.server exited with ${server.exitCode}:\n${serverLog.slice(-2000)}`);
        if (Date.now() - start > timeoutMs) throw new Error("llama_cpp.server did not answer in time");
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** A valid RGB PNG of a colour gradient, written from scratch: signature, IHDR, IDAT, IEND. */
function pngFile(width: number, height: number): Buffer {
    const chunk = (type: string, data: Buffer) => {
        const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(data.length);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(typed));
        return Buffer.concat([length, typed, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, adaptive filter, no interlace
    // Each row: filter type 0 (none), then R, G, B per pixel.
    const rows = Array.from({ length: height }, (_, y) => Buffer.from([0, ...Array.from({ length: width }, (_, x) => [x * 40, y * 40, 128]).flat()]));
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

/** Prompt tokens the server counts for one non-streamed chat request. */
async function promptTokens(model: string, message: ReturnType<typeof userMessage>): Promise<number> {
    const client = new OpenAI({ baseURL: endpoint, apiKey });
    const res = await client.chat.completions.create({ model, messages: [message], max_tokens: 1 });
    return res.usage!.prompt_tokens;
}

/** The CLI as a user runs it, pointed at the server with --endpoint. */
function cli(args: string[], key = apiKey) {
    return run("node", [path.join(root, "cli", "model-services.cjs"), ...args, "--endpoint", endpoint], { cwd: root, env: { ...process.env, MODEL_SERVICES_API_KEY: key } });
}

beforeAll(async () => {
    if (!python) throw new Error("MODEL_SERVICES_PYTHON is not set: run through scripts/test.sh (it installs requirements-dev.txt and sets it)");
    dir = mkdtempSync(path.join(tmpdir(), "model-services-trial-"));
    const model = path.join(dir, "tiny.gguf");
    execFileSync(python, [path.join(root, "test", "llm", "tiny_gguf.py"), model]);
    const mmproj = path.join(dir, "mmproj.gguf");
    imageTokens = Number(execFileSync(python, [path.join(root, "test", "llm", "tiny_mmproj.py"), mmproj]).toString());
    png = path.join(dir, "gradient.png");
    writeFileSync(png, pngFile(6, 5));
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/v1`;
    const config = {
        host: "127.0.0.1",
        port,
        api_key: apiKey,
        models: [
            { model, model_alias: "u-1/chat", chat_format: "chatml", n_ctx: 512, n_threads: 1, verbose: false },
            { model, model_alias: "u-1/embed", embedding: true, n_ctx: 512, n_threads: 1, verbose: false },
            // LLaVA-1.5's prompt format and its handler, which runs the projector through libmtmd.
            { model, model_alias: "u-1/vision", chat_format: "llava-1-5", clip_model_path: mmproj, n_ctx: 512, n_threads: 1, verbose: false },
        ],
    };
    writeFileSync(path.join(dir, "server.json"), JSON.stringify(config));
    server = spawn(python, ["-m", "llama_cpp.server", "--config_file", path.join(dir, "server.json")], { stdio: ["ignore", "ignore", "pipe"] });
    server.stderr!.on("data", (data: Buffer) => (serverLog += data.toString()));
    await waitForServer(60_000);
}, 120_000);

afterAll(() => {
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("chat and embed through the OpenAI Node SDK, against llama-cpp-python's server", () => {
    it("streams the answer token by token: one write per streamed delta, as they arrive", async () => {
        const writes: string[] = [];
        const out = new Writable({
            write(chunk, _enc, done) {
                writes.push(chunk.toString());
                done();
            },
        });
        const conn = { client: new OpenAI({ baseURL: endpoint, apiKey }), model: "u-1/chat", close: () => undefined };
        const text = await streamAnswer(conn, [userMessage("Say hello")], out, 12);
        // 12 tokens, each its own SSE chunk and its own write, then the closing newline.
        expect(writes).toHaveLength(13);
        expect(writes.slice(0, -1).join("")).toBe(text);
        expect(text.trim().length).toBeGreaterThan(0);
    });

    it("`chat <service> prompt` prints the streamed answer; a wrong key is the server's 401, not a crash", async () => {
        const { stdout } = await cli(["chat", "u-1/chat", "Say", "hello", "--max-tokens", "8"]);
        expect(stdout.trim().length).toBeGreaterThan(0);
        const denied = await cli(["chat", "u-1/chat", "hello"], "sk-wrong").catch((e) => e);
        expect(denied.code).toBe(1);
        expect(denied.stderr).toMatch(/^model-services: 401 /);
        expect(denied.stderr).not.toContain(apiKey);
    });

    it("`embed <service> TEXT…` returns one vector per text, of the model's width", async () => {
        const { stdout } = await cli(["embed", "u-1/embed", "hello world", "a second text", "--json"]);
        const vectors = JSON.parse(stdout) as number[][];
        expect(vectors.map((v) => v.length)).toEqual([64, 64]);
        expect(vectors[0]).not.toEqual(vectors[1]);
    });
});

describe("--image", () => {
    it("sends a file as a data URL and a URL as it is", () => {
        expect(imageUrl("cat.png", () => Buffer.from("PNG"))).toBe("data:image/png;base64,UE5H");
        expect(imageUrl("https://example.com/cat.jpg")).toBe("https://example.com/cat.jpg");
        expect(() => imageUrl("notes.txt")).toThrow("--image notes.txt: expected a .png, .jpg, .gif or .webp file, or an http(s) URL");
        expect(userMessage("What is this?", "data:image/png;base64,UE5H")).toEqual({
            role: "user",
            content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,UE5H" } }],
        });
    });
});

describe("chat --image against a LLaVA-style vision model (llama.cpp's multimodal library)", () => {
    const question = "What is in this image?";

    it("`chat <service> PROMPT --image FILE` streams an answer; the server encoded the file into the projector's image tokens", async () => {
        const logStart = serverLog.length;
        const { stdout } = await cli(["chat", "u-1/vision", question, "--image", png, "--max-tokens", "8"]);
        expect(stdout.trim().length).toBeGreaterThan(0);
        // One image reached the vision encoder during this command, as (32 px / 8 px)^2 embeddings
        // (the 6 x 5 px file padded and resized to the projector's 32 px).
        const log = serverLog.slice(logStart);
        expect(log.split("encoding image slice").length - 1).toBe(1);
        expect(log).toContain(`image_tokens->nx = ${imageTokens}\n`);
        expect(imageTokens).toBe(16);
    });

    it("the image adds exactly its image tokens to the prompt; a text-only service drops an image message's whole content", async () => {
        const withImage = userMessage(question, imageUrl(png));
        const textOnly = { role: "user" as const, content: [{ type: "text" as const, text: question }] };
        // libmtmd tokenizes the text on each side of the image separately, and llama.cpp's
        // SentencePiece tokenizer starts each piece with a space token: one more token than the image's.
        expect((await promptTokens("u-1/vision", withImage)) - (await promptTokens("u-1/vision", textOnly))).toBe(imageTokens + 1);
        // llama-cpp-python's chatml format keeps only string content: the question goes with the image.
        expect(await promptTokens("u-1/chat", withImage)).toBe(await promptTokens("u-1/chat", userMessage("")));
        expect(await promptTokens("u-1/chat", withImage)).toBeLessThan(await promptTokens("u-1/chat", userMessage(question)));
    });
});
