import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ApiKeyConfig } from "../../components/config/types";
import { readStackFile } from "../../components/config/stackFile";
import { table } from "../format";
import { rotateKey } from "../keys/rotate";
import { projectDir, readStackOutputs, selectedStack } from "../stack";

/** The keys as a person reads them: scopes and limits; a value only when asked for. */
export function renderKeys(keys: Partial<ApiKeyConfig>[], values?: Record<string, string>): string {
    if (keys.length === 0) return "No API keys.";
    const header = ["KEY", "SERVICES", "REQUESTS/MIN", "ROTATION", ...(values ? ["VALUE"] : [])];
    const rows = keys.map((k) => [
        k.name ?? "",
        (k.services ?? []).join(", "),
        k.requestsPerMinute === undefined ? "unlimited" : String(k.requestsPerMinute),
        String(k.rotation ?? 0),
        ...(values ? [values[k.name ?? ""] ?? "(not deployed)"] : []),
    ]);
    return table(header, rows);
}

export async function keysCommand(opts: { stack?: string; show?: boolean }): Promise<number> {
    const cwd = projectDir();
    const stack = opts.stack ?? (await selectedStack(cwd));
    const keys = (readStackFile(path.join(cwd, `Pulumi.${stack}.yaml`)).raw.apiKeys ?? []) as Partial<ApiKeyConfig>[];
    const values = opts.show ? ((await readStackOutputs(stack, { secrets: true, cwd })).apiKeys as Record<string, string>) : undefined;
    process.stdout.write(`${renderKeys(keys, values)}\n`);
    if (!opts.show) process.stdout.write("\nValues: model-services keys --show (they are secrets: mind who sees your screen)\n");
    return 0;
}

export async function rotateCommand(opts: { stack?: string; name: string }): Promise<number> {
    const cwd = projectDir();
    const stack = opts.stack ?? (await selectedStack(cwd));
    const file = path.join(cwd, `Pulumi.${stack}.yaml`);
    const result = rotateKey(readFileSync(file, "utf8"), opts.name);
    writeFileSync(file, result.text);
    process.stdout.write(
        `${path.basename(file)}: apiKeys[${result.keyIndex}] (${opts.name}) rotation → ${result.rotation}.\n` +
            `Apply it with: pulumi up --stack ${stack}\n` +
            `The old value stops working when the gateway reloads its routes; clients need the new one (model-services keys --show).\n`,
    );
    return 0;
}
