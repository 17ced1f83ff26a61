import * as path from "node:path";
import { portForward } from "../kube";
import { clusterTarget, PlaygroundOutput, projectDir, readStackOutputs, selectedStack, StackOutputs } from "../stack";

export interface PlaygroundOptions {
    stack?: string;
    kubeconfig?: string;
    /** Local port to forward from. @default the one in the stack's `playground` output (8080) */
    port?: number;
}

/** The stack's `playground` output, or why there is none. */
export function playgroundOf(outputs: StackOutputs, stack: string): PlaygroundOutput {
    if (!outputs.playground) {
        throw new Error(`stack "${stack}" has no playground: set playground.enabled: true under model-services in Pulumi.${stack}.yaml, then pulumi up --stack ${stack}`);
    }
    return outputs.playground;
}

/** The local port: `--port`, else the port of the output's URL. */
export function localPort(playground: PlaygroundOutput, port: number | undefined): number {
    return port ?? Number(new URL(playground.url).port);
}

/**
 * `model-services playground`: forwards a local port to the playground's ClusterIP Service
 * (the only way in: it is never exposed) and prints the URL, until Ctrl-C.
 */
export async function playgroundCommand(opts: PlaygroundOptions): Promise<number> {
    const cwd = projectDir();
    const stack = opts.stack ?? (await selectedStack(cwd));
    const outputs = await readStackOutputs(stack, { secrets: false, cwd });
    const playground = playgroundOf(outputs, stack);
    const target = { ...clusterTarget(outputs, path.join(cwd, `Pulumi.${stack}.yaml`), { kubeconfig: opts.kubeconfig }), namespace: playground.namespace };
    const forward = await portForward(target, `service/${playground.service}`, playground.port, { localPort: localPort(playground, opts.port) });
    process.stdout.write(
        `Open WebUI (the playground) at http://127.0.0.1:${forward.localPort}\n` +
            `Its key "${playground.keyName}" may call: ${playground.services.join(", ")}. Ctrl-C stops the port-forward.\n`,
    );
    await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    forward.close();
    return 0;
}
