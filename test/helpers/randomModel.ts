import { randomBytes, randomInt } from "node:crypto";

/**
 * The random provider as the mocks model it: values drawn from `crypto`, never derived from
 * the resource's name, and the replace rule of terraform-provider-random (which this
 * project's own plugin, toolchain/pulumi-random, follows — see its README): every input
 * forces replacement, `keepers` included; no `keepers` equals `{}`, keeper entries with null
 * values are ignored, an empty `overrideSpecial` equals an unset one, and defaults are
 * filled before comparing. So a value changes exactly when the real provider would
 * generate a new one.
 */

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const lower = "abcdefghijklmnopqrstuvwxyz";
const numeric = "0123456789";
/** terraform-provider-random's default special characters. */
const special = "!@#$%&*()-_=+[]{}<>:?";

/** The inputs as the provider compares them: defaults filled, equivalent spellings made equal. */
export function checkedRandomInputs(type: string, inputs: Record<string, any>): Record<string, unknown> {
    const keepers = Object.fromEntries(Object.entries(inputs.keepers ?? {}).filter(([, v]) => v !== null && v !== undefined));
    switch (type) {
        case "random:index/randomId:RandomId":
            return { keepers, byteLength: inputs.byteLength, prefix: inputs.prefix ?? null };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString": {
            const numericOn = inputs.numeric ?? inputs.number ?? true;
            return {
                keepers,
                length: inputs.length,
                upper: inputs.upper ?? true,
                lower: inputs.lower ?? true,
                numeric: numericOn,
                number: numericOn,
                special: inputs.special ?? true,
                minUpper: inputs.minUpper ?? 0,
                minLower: inputs.minLower ?? 0,
                minNumeric: inputs.minNumeric ?? 0,
                minSpecial: inputs.minSpecial ?? 0,
                overrideSpecial: inputs.overrideSpecial || null,
            };
        }
        default:
            throw new Error(`the mocks do not model ${type}`);
    }
}

/** Generates a random resource's computed outputs and ID from its checked inputs. */
export function createRandom(type: string, checked: Record<string, any>): { id: string; outputs: Record<string, unknown> } {
    if (type === "random:index/randomId:RandomId") {
        if (!Number.isInteger(checked.byteLength) || checked.byteLength < 1) {
            throw new Error(`byteLength: expected a whole number ≥ 1, got ${checked.byteLength}`);
        }
        const bytes = randomBytes(checked.byteLength);
        const prefix = checked.prefix ?? "";
        const b64Url = bytes.toString("base64url");
        return {
            id: b64Url,
            outputs: {
                hex: prefix + bytes.toString("hex"),
                b64Std: prefix + bytes.toString("base64"),
                b64Url: prefix + b64Url,
                dec: prefix + BigInt(`0x${bytes.toString("hex")}`).toString(10),
            },
        };
    }
    const result = randomString(checked);
    const outputs: Record<string, unknown> = { result };
    if (type === "random:index/randomPassword:RandomPassword") {
        // Stands in for bcrypt(result): a value of the same shape that is not the password.
        outputs.bcryptHash = `$2a$10$${randomBytes(40).toString("base64url").slice(0, 53)}`;
        return { id: "none", outputs };
    }
    return { id: result, outputs };
}

function randomString(c: Record<string, any>): string {
    if (!Number.isInteger(c.length) || c.length < 1) {
        throw new Error(`length: expected a whole number ≥ 1, got ${c.length}`);
    }
    const specials = c.overrideSpecial ?? special;
    const classes: Array<[boolean, string, number]> = [
        [c.upper, upper, c.minUpper],
        [c.lower, lower, c.minLower],
        [c.numeric, numeric, c.minNumeric],
        [c.special, specials, c.minSpecial],
    ];
    const chars: string[] = [];
    for (const [, set, min] of classes) {
        for (let i = 0; i < min; i++) {
            chars.push(set[randomInt(set.length)]);
        }
    }
    const pool = classes.filter(([on]) => on).map(([, set]) => set).join("");
    while (chars.length < c.length) {
        chars.push(pool[randomInt(pool.length)]);
    }
    for (let i = chars.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    return chars.join("");
}
