import { describe, expect, it } from "vitest";
import { IssueList } from "./issues";
import { checkKeyServices, reportDuplicates } from "./keyScope";

/** The messages a key's `services` draws at `apiKeys[0].services`, given the services that exist. */
function messagesOf(services: string[], serviceNames: string[]): string[] {
    const issues = new IssueList();
    checkKeyServices(issues, "apiKeys[0].services", services, serviceNames);
    return issues.issues.map((i) => i.message);
}

describe("key scope: the services a key may call", () => {
    it('takes "*" alone, or names of existing services', () => {
        expect(messagesOf(["*"], ["chat"])).toEqual([]);
        expect(messagesOf(["*"], [])).toEqual([]);
        expect(messagesOf(["chat", "embed"], ["chat", "embed"])).toEqual([]);
    });

    it('refuses "*" with other names', () => {
        expect(messagesOf(["*", "chat"], ["chat"])).toEqual([
            'apiKeys[0].services: "*" already means every service, got ["*","chat"]. Write ["*"] alone, or list the services.',
        ]);
    });

    it("suggests the close name for a typo", () => {
        expect(messagesOf(["chta"], ["chat", "embed"])).toEqual(['apiKeys[0].services[0]: names no service, got "chta". Did you mean "chat"?']);
    });

    it("lists the services when no name is close", () => {
        expect(messagesOf(["chat", "vision"], ["chat", "embed"])).toEqual([
            'apiKeys[0].services[1]: names no service, got "vision". Use one of "chat", "embed" or "*".',
        ]);
    });

    it("says to add the service first when there is none", () => {
        expect(messagesOf(["chat"], [])).toEqual(['apiKeys[0].services[0]: names no service, got "chat". Add the service first, or remove it from the key.']);
    });

    it("reports a repeated name at the later one", () => {
        expect(messagesOf(["chat", "embed", "chat"], ["chat", "embed"])).toEqual([
            'apiKeys[0].services[2]: duplicates apiKeys[0].services[0], got "chat". Give each service of this key a unique name.',
        ]);
    });
});

describe("key scope: duplicate names", () => {
    it("reports each repeat against the first of its name", () => {
        const issues = new IssueList();
        reportDuplicates(issues, ["a", "b", "a", "a"], (i) => `keys[${i}].name`, "key");
        expect(issues.issues.map((i) => i.message)).toEqual([
            'keys[2].name: duplicates keys[0].name, got "a". Give each key a unique name.',
            'keys[3].name: duplicates keys[0].name, got "a". Give each key a unique name.',
        ]);
    });
});
