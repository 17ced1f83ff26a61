import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { configNamespace } from "../../components/config/issues";

/**
 * `keys rotate NAME` as an edit of `Pulumi.<stack>.yaml`: bumps `apiKeys[i].rotation` and
 * nothing else. The `yaml` Document API keeps the file's comments, order and layout; only
 * the one scalar changes (or a `rotation: 1` line is added to that key).
 */
export interface RotateResult {
    text: string;
    keyIndex: number;
    rotation: number;
}

export function rotateKey(fileText: string, keyName: string): RotateResult {
    const doc = parseDocument(fileText);
    const path = ["config", `${configNamespace}:apiKeys`];
    const keys = doc.getIn(path, true);
    if (!isSeq(keys)) {
        throw new Error(`${configNamespace}:apiKeys: the stack file has no list of API keys; add one (see README "Configuration reference")`);
    }
    const items = (keys as YAMLSeq).items;
    const names = items.map((k) => (isMap(k) ? String((k as YAMLMap).get("name")) : ""));
    const keyIndex = names.indexOf(keyName);
    if (keyIndex < 0) {
        throw new Error(`apiKeys: no key named "${keyName}"; the keys are ${names.map((n) => `"${n}"`).join(", ")}`);
    }
    const key = items[keyIndex] as YAMLMap;
    const current = key.get("rotation");
    const rotation = (typeof current === "number" ? current : Number(current ?? 0)) + 1;
    if (!Number.isInteger(rotation)) {
        throw new Error(`apiKeys[${keyIndex}].rotation: expected a whole number, got ${JSON.stringify(current)}; fix it by hand first`);
    }
    key.set("rotation", rotation);
    // Write it back as it was written: no folding of long lines (the salt), `[a, b]` not `[ a, b ]`.
    return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), keyIndex, rotation };
}
