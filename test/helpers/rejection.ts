import type * as pulumi from "@pulumi/pulumi";

/** The rejection of an Output, or undefined when it resolves. */
export async function rejectionOf(output: pulumi.Output<unknown>): Promise<Error | undefined> {
    const internals = output as unknown as { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
    // An Output carries its value, knownness and secretness as three promises; all three reject together.
    internals.isKnown.catch(() => undefined);
    internals.isSecret.catch(() => undefined);
    try {
        await internals.promise();
        return undefined;
    } catch (error) {
        return error as Error;
    }
}
