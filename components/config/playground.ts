import { playgroundKeyName } from "../conventions";
import { IssueList } from "./issues";
import { checkKeyServices } from "./keyScope";
import { defaults } from "./rules";
import { RawConfig } from "./schema";
import { PlaygroundConfig } from "./types";

/**
 * Resolves `playground`: its key's services are checked like `apiKeys[].services`, and the
 * key name the playground uses at the gateway and in the key Secret must be free.
 */
export function resolvePlayground(raw: RawConfig["playground"], serviceNames: string[], apiKeyNames: string[], issues: IssueList): PlaygroundConfig {
    const playground: PlaygroundConfig = {
        enabled: raw?.enabled ?? defaults.playgroundEnabled,
        services: raw?.services ?? [...defaults.playgroundServices],
    };
    if (!playground.enabled) {
        return playground;
    }
    checkKeyServices(issues, "playground.services", playground.services, serviceNames);
    apiKeyNames.forEach((name, i) => {
        if (name === playgroundKeyName) {
            issues.add(
                `apiKeys[${i}].name`,
                name,
                "is the name of the playground's own key (playground.enabled is true), so the two would share one key value and scope",
                `rename the key, e.g. ${playgroundKeyName}-user, or set playground.enabled to false`,
            );
        }
    });
    return playground;
}
