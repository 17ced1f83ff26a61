import { parseArgs } from "node:util";
import { keysCommand, rotateCommand } from "./commands/keys";
import { playgroundCommand } from "./commands/playground";
import { statusCommand } from "./commands/status";
import { chatCommand, embedCommand, imageCommand } from "./commands/trial";
import { usageCommand } from "./commands/usage";

/**
 * `model-services <command>`: what the hosted console showed, from the terminal. Each command
 * lives in cli/commands/; the logic they print (classifier, usage, key edit) is pure and
 * tested on its own.
 */

export const usageText = `Usage: model-services <command> [options]

  status [--stack S] [--watch] [--json]           live status of every service, with the reason when not running
  chat <service> [prompt] [--image FILE|URL]      stream a chat completion (interactive without a prompt)
  image <service> "prompt" -o out.png             generate an image (image-generation services)
  embed <service> TEXT...                         embeddings (embedding services)
  keys [--show]                                   key names, scopes and limits (values only with --show)
  keys rotate NAME                                bump apiKeys[].rotation in Pulumi.<stack>.yaml, then pulumi up
  usage [--since 24h] [--json]                    requests, errors and tokens per service ID and per key
  playground [--port N]                           port-forward to the web playground (Open WebUI), print its URL

Common options: --stack S (default: the selected stack), --kubeconfig FILE, --key NAME (chat/image/embed),
--endpoint URL (an OpenAI-compatible base URL instead of the stack's; key from MODEL_SERVICES_API_KEY).`;

const options = {
    stack: { type: "string" },
    kubeconfig: { type: "string" },
    key: { type: "string" },
    endpoint: { type: "string" },
    json: { type: "boolean" },
    watch: { type: "boolean" },
    interval: { type: "string" },
    show: { type: "boolean" },
    image: { type: "string" },
    output: { type: "string", short: "o" },
    size: { type: "string" },
    since: { type: "string" },
    "max-tokens": { type: "string" },
    port: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

export async function main(argv: string[]): Promise<number> {
    const { values: o, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
    const [command, ...rest] = positionals;
    if (o.help || !command) {
        process.stdout.write(`${usageText}\n`);
        return command || o.help ? 0 : 2;
    }
    const connectOpts = { stack: o.stack, kubeconfig: o.kubeconfig, key: o.key, endpoint: o.endpoint };
    const need = (n: number, what: string) => {
        if (rest.length < n) throw new UsageError(`${command}: missing ${what}`);
    };
    switch (command) {
        case "status":
            return statusCommand({ stack: o.stack, kubeconfig: o.kubeconfig, json: o.json, watch: o.watch, intervalSeconds: o.interval ? Number(o.interval) : undefined });
        case "chat":
            need(1, "the service name");
            return chatCommand(rest[0], rest.length > 1 ? rest.slice(1).join(" ") : undefined, { ...connectOpts, image: o.image, maxTokens: o["max-tokens"] ? Number(o["max-tokens"]) : undefined });
        case "image":
            need(2, 'the service name and a prompt (image <service> "prompt" -o out.png)');
            if (!o.output) throw new UsageError("image: -o FILE is required (where to write the image)");
            return imageCommand(rest[0], rest.slice(1).join(" "), { ...connectOpts, output: o.output, size: o.size });
        case "embed":
            need(2, "the service name and a text");
            return embedCommand(rest[0], rest.slice(1), { ...connectOpts, json: o.json });
        case "keys":
            if (rest[0] === "rotate") {
                need(2, "the key name (keys rotate NAME)");
                return rotateCommand({ stack: o.stack, name: rest[1] });
            }
            return keysCommand({ stack: o.stack, show: o.show });
        case "usage":
            return usageCommand({ stack: o.stack, since: o.since, json: o.json, kubeconfig: o.kubeconfig });
        case "playground":
            return playgroundCommand({ stack: o.stack, kubeconfig: o.kubeconfig, port: o.port === undefined ? undefined : portNumber(o.port) });
        default:
            throw new UsageError(`unknown command "${command}"`);
    }
}

export class UsageError extends Error {}

/** `--port`: a TCP port a user may listen on. */
export function portNumber(text: string): number {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
        throw new UsageError(`--port: expected a port number from 1 to 65535, got "${text}"`);
    }
    return port;
}

/** Runs a command line and exits with its code; errors print as one line, never a stack. */
export function runCli(argv: string[]): void {
    main(argv).then(
        (code) => process.exit(code),
        (e: Error) => {
            process.stderr.write(`model-services: ${e.message}\n${e instanceof UsageError ? `\n${usageText}\n` : ""}`);
            process.exit(e instanceof UsageError ? 2 : 1);
        },
    );
}

if (require.main === module) {
    runCli(process.argv.slice(2));
}
