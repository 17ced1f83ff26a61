import { didYouMean } from "./didYouMean";
import { IssueList, quoted } from "./issues";

/** Reports every name that repeats an earlier one, at the later one's path. */
export function reportDuplicates(issues: IssueList, names: string[], pathOf: (i: number) => string, what: string): void {
    const first = new Map<string, number>();
    names.forEach((name, i) => {
        const earlier = first.get(name);
        if (earlier === undefined) {
            first.set(name, i);
        } else {
            issues.add(pathOf(i), name, `duplicates ${pathOf(earlier)}`, `give each ${what} a unique name`);
        }
    });
}

/**
 * The services a key may call (`apiKeys[].services`, `playground.services`): `["*"]` alone, or
 * names of existing services, each once; an unknown name gets a did-you-mean.
 */
export function checkKeyServices(issues: IssueList, path: string, services: string[], serviceNames: string[]): void {
    if (services.includes("*") && services.length > 1) {
        issues.add(path, services, '"*" already means every service', 'write ["*"] alone, or list the services');
    }
    for (const [j, name] of services.entries()) {
        if (name !== "*" && !serviceNames.includes(name)) {
            const fallback = serviceNames.length ? `use one of ${quoted(serviceNames)} or "*"` : "add the service first, or remove it from the key";
            issues.add(`${path}[${j}]`, name, "names no service", didYouMean(name, serviceNames) ?? fallback);
        }
    }
    reportDuplicates(issues, services, (j) => `${path}[${j}]`, "service of this key");
}
