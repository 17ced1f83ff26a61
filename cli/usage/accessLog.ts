import { keyNameOperator, metadataNamespace } from "../../components/plan/gateway/contract";

/**
 * The gateway's access log (one JSON object per line on Envoy's stdout, format in
 * `components/plan/gateway/listener.ts` `accessLogFormat()`), read back by the command
 * operators of the format rather than by field names, so a renamed field cannot drift.
 */

/** Which JSON field of a log line holds what `usage` needs. */
export interface AccessLogFields {
    time: string;
    keyName: string;
    model: string;
    status: string;
}

export function fieldsFromFormat(format: Record<string, string>): AccessLogFields {
    const find = (what: string, test: (operator: string) => boolean): string => {
        const field = Object.entries(format).find(([, operator]) => test(operator))?.[0];
        if (!field) throw new Error(`the gateway's access log format has no ${what} field`);
        return field;
    };
    return {
        time: find("start time", (o) => o === "%START_TIME%"),
        keyName: find("key name", (o) => o === keyNameOperator),
        model: find("model", (o) => o.startsWith(`%DYNAMIC_METADATA(${metadataNamespace}:model)`)),
        status: find("response code", (o) => o === "%RESPONSE_CODE%"),
    };
}

export interface AccessRecord {
    time: Date;
    keyName?: string;
    model?: string;
    status: number;
}

/** Envoy writes an unavailable value as `-` (or null in typed JSON). */
function present(value: unknown): string | undefined {
    return value === null || value === undefined || value === "-" || value === "" ? undefined : String(value);
}

/** Parses `kubectl logs` output of gateway pods: access-log lines only; Envoy's own log lines are skipped. */
export function parseAccessLog(text: string, fields: AccessLogFields, since?: Date): AccessRecord[] {
    const records: AccessRecord[] = [];
    for (const line of text.split("\n")) {
        // kubectl logs --prefix puts "[pod/<name>/<container>] " before each line.
        const json = line.slice(line.indexOf("{"));
        if (!json.startsWith("{")) continue;
        let entry: Record<string, unknown>;
        try {
            entry = JSON.parse(json);
        } catch {
            continue;
        }
        if (!(fields.status in entry) || !(fields.time in entry)) continue;
        const time = new Date(String(entry[fields.time]));
        if (since && time < since) continue;
        records.push({ time, keyName: present(entry[fields.keyName]), model: present(entry[fields.model]), status: Number(entry[fields.status]) || 0 });
    }
    return records;
}
