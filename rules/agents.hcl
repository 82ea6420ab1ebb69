# The built-in catalog of AI coding agents and non-AI automation.
#
# plangate classifies each commit as `agent`, `human` or `bot` from the signals
# below. Every signal is plain text that anyone with push rights can write or
# strip: a match is a claim, not a proof, and no match proves nothing. That is
# why the policy treats `unknown` like `agent`, and why `agents { unverified =
# "agent" }` exists for repositories that require signed commits.
#
# Blocks:
#   agent "NAME" { … }  an AI coding agent; `review = true` marks an AI review
#                       bot whose suggestions a human applied (counted as agent
#                       unless `agents { review_suggestions = "ignore" }`)
#   bot "NAME" { … }    automation that is not AI (dependency updates, releases)
#   disclosure { … }    trailers in which people disclose AI help
#   prose { … }         sentences in which people say an AI tool wrote the change
#
# Automation the catalog does not list counts as an agent: a GitHub App's
# `[bot]` account, or a no-reply address outside GitHub's users domain, is
# "automation not known to be non-AI" unless a `bot` block below (or in
# .plangate.hcl) names it. New tools appear monthly; the safe default is not
# to depend on this list being complete.
#
# Attributes of agent and bot blocks:
#   description   what it is
#   identities    who it commits as, matched against the author, the committer,
#                 every `Co-authored-by` line, and the `Author:` of each commit
#                 a squash message quotes. Each identity has any of:
#                   email      an exact address (never a bare domain: people at
#                              vendors commit from the same domains)
#                   github_id  the number in <id>+<login>@users.noreply.github.com
#                   login      the login in such an address (with or without id)
#                   name       the display name, exact (case-insensitive); it
#                              narrows the other fields, never matches alone
#                   author_suffix  a suffix of the *author* name (aider)
#                 An identity with a `name` wins over one without.
#   patterns      regular expressions matched against each message line
#                 (footers, session links, tool trailers)
#   subjects      regular expressions matched against the subject line
#   names         words that name it in a disclosure trailer value
#
# Pull-request signals (agent blocks only): an agent-made pull request makes
# every commit of the range agent-written. Each can be turned off in
# `agents { … }` of .plangate.hcl.
#   logins        GitHub logins of its accounts, matched (case-insensitively)
#                 against the pull request's author and against reviewers;
#                 never against commit addresses. The account ids are the
#                 `github_id`s of `identities`, matched the same way.
#                 (`agents { pull_request_author = false }`)
#   branches      prefixes of the head branches of the pull requests it opens
#                 (`agents { pull_request_branch = false }`)
#   pr_links      regular expressions over the pull request's body: links to
#                 its sessions (`agents { pull_request_links = false }`). A
#                 body that merely names the agent is not a link.
#
# Sources: the agent-detection study in the project's reference material, which
# names for each signal where it was observed or documented.

agent "claude-code" {
  description = "Anthropic Claude Code: CLI, IDE, on the web, as a GitHub agent and app"
  identities = [
    { email = "noreply@anthropic.com" },
    { github_id = 242468646 }, # anthropic-code-agent[bot], GitHub Agent HQ
    { github_id = 209825114 }, # claude[bot]
    { github_id = 208546643 }, # claude-code-action[bot]
    { github_id = 215619710 }, # anthropic-claude[bot]
  ]
  patterns = [
    "^🤖 Generated with \\[Claude Code\\]\\(https://(claude\\.ai/code|claude\\.com/claude-code)",
    "^Claude-Session: https://claude\\.ai/code/session_",
    "^https://claude\\.ai/code/session_\\w+$",
    "https://claude\\.ai/code/session_\\w+",
  ]
  names = ["claude", "anthropic"]
  logins   = ["claude[bot]", "claude-code-action[bot]", "anthropic-claude[bot]", "anthropic-code-agent[bot]"]
  branches = ["claude/"]
  pr_links = ["(?i)https?://claude\\.ai/code/session_\\w+"]
}

agent "copilot-coding-agent" {
  description = "GitHub Copilot coding agent (assigned an issue, opens a pull request)"
  identities = [
    { github_id = 198982749 }, # copilot-swe-agent[bot]; squash merges are authored "Copilot" with the same id
  ]
  # Its pull requests are opened by the user `Copilot` (account 198982749).
  logins   = ["Copilot", "copilot-swe-agent[bot]"]
  branches = ["copilot/"]
}

agent "github-agent-session" {
  description = "An agent run on GitHub (the Copilot coding agent, Claude or Codex on Agent HQ): its session log link"
  patterns = ["^Agent-Logs-Url: https://github\\.com/[^/\\s]+/[^/\\s]+/sessions/"]
}

agent "copilot-app" {
  description = "GitHub Copilot CLI and the Copilot app"
  identities = [
    { github_id = 223556219 },
  ]
  patterns = ["^Copilot-Session: "]
}

agent "copilot-autofix" {
  description = "GitHub Copilot Autofix and code quality fixes"
  identities = [
    { github_id = 175728472, name = "Copilot Autofix powered by AI" },
    { github_id = 62310815 },  # github-advanced-security[bot]
    { github_id = 223894421 }, # github-code-quality[bot]
  ]
}

agent "copilot-review" {
  description = "GitHub Copilot code review suggestions, applied by a person"
  review      = true
  identities = [
    { github_id = 175728472 },
  ]
}

agent "copilot" {
  description = "GitHub Copilot (other identities)"
  identities = [
    { email = "copilot@github.com" },
    { github_id = 167198135 }, # copilot[bot]
  ]
  names = ["copilot"]
  logins = ["copilot[bot]"]
}

agent "codex" {
  description = "OpenAI Codex: CLI (trailer off by default), cloud and GitHub connector"
  identities = [
    { email = "noreply@openai.com" },
    { email = "codex@openai.com" },
    { github_id = 199175422 }, # chatgpt-codex-connector[bot]
    { github_id = 242516109 }, # openai-code-agent, GitHub Agent HQ
    { github_id = 215057067 }, # openai-codex[bot]
  ]
  patterns = ["https://chatgpt\\.com/codex/tasks/task_\\w+"]
  names    = ["codex", "openai", "gpt", "chatgpt"]
  logins   = ["chatgpt-codex-connector[bot]", "openai-codex[bot]"]
  branches = ["codex/"]
  pr_links = ["(?i)https?://chatgpt\\.com/codex/tasks/\\w+"]
}

agent "devin" {
  description = "Cognition Devin"
  identities = [
    { github_id = 158243242 }, # devin-ai-integration[bot]
  ]
  patterns = ["^Generated with \\[Devin\\]\\(https://devin\\.ai\\)", "https://app\\.devin\\.ai/sessions/[0-9a-f]+"]
  names    = ["devin"]
  logins   = ["devin-ai-integration[bot]"]
  branches = ["devin/"]
  pr_links = ["(?i)https?://app\\.devin\\.ai/sessions/\\w+"]
}

agent "cursor" {
  description = "Cursor agent: background/cloud agent, IDE and CLI"
  identities = [
    { email = "cursoragent@cursor.com" },
    { github_id = 206951365 }, # cursor[bot]
  ]
  patterns = ["^Made-with: Cursor\\s*$", "https://(www\\.)?cursor\\.com/agents\\?id=\\S+"]
  names    = ["cursor"]
  logins   = ["cursor[bot]"]
  branches = ["cursor/"]
  pr_links = ["(?i)https?://(www\\.)?cursor\\.com/agents\\b"]
}

agent "jules" {
  description = "Google Jules"
  identities = [
    { github_id = 161369871 }, # google-labs-jules[bot]
  ]
  names = ["jules"]
  logins   = ["google-labs-jules[bot]"]
  branches = ["jules-"]
}

agent "gemini" {
  description = "Google Gemini: the Gemini CLI GitHub app and Gemini Code Assist suggestions"
  identities = [
    { github_id = 218312386 }, # gemini-cli[bot]
    { login = "gemini-cli[bot]" },
    { email = "gemini@google.com" },
  ]
  names = ["gemini"]
  logins = ["gemini-cli[bot]"]
}

agent "gemini-code-assist" {
  description = "Gemini Code Assist review suggestions, applied by a person"
  review      = true
  identities = [
    { github_id = 176961590 },
    { login = "gemini-code-assist[bot]" }, # also without the id
  ]
}

agent "aider" {
  description = "aider"
  identities = [
    { email = "aider@aider.chat" },
    { email = "noreply@aider.dev" },
    # v0.39–0.84 mark AI edits with an author-name suffix. A committer-only
    # suffix means aider committed a change the user made by hand: not matched.
    { author_suffix = " (aider)" },
  ]
  subjects = ["^aider: "] # up to v0.38
  names    = ["aider"]
}

agent "openhands" {
  description = "All Hands OpenHands (formerly OpenDevin)"
  identities = [
    { email = "openhands@all-hands.dev" },
    { email = "opendevin@opendevin.ai" },
    { email = "opendevin@all-hands.dev" }, # the resolver, 2024 (All-Hands-AI/OpenHands history)
  ]
  names = ["openhands", "opendevin"]
  branches = ["openhands-"]
}

agent "amp" {
  description = "Sourcegraph Amp"
  identities = [
    { email = "amp@ampcode.com" },
  ]
  patterns = ["^Amp-Thread-ID: https://ampcode\\.com/threads/", "https://ampcode\\.com/threads/T-[0-9a-fA-F-]+"]
  names    = ["amp", "ampcode"]
  pr_links = ["(?i)https?://ampcode\\.com/threads/[\\w-]+"]
}

agent "crush" {
  description = "Charm Crush"
  identities = [
    { email = "crush@charm.land" },
  ]
  patterns = ["^💘 Generated with Crush"]
  names    = ["crush"]
}

agent "opencode" {
  description = "opencode and termai"
  identities = [
    { email = "noreply@opencode.ai" },
    { email = "noreply@termai.io" },
  ]
  patterns = ["^🤖 Generated with \\[opencode\\]", "^🤖 Generated with termai"]
  names    = ["opencode"]
}

agent "factory-droid" {
  description = "Factory Droid"
  identities = [
    { github_id = 138933559 },
  ]
  names = ["droid"]
  logins = ["factory-droid[bot]"]
}

agent "warp" {
  description = "Warp agents"
  identities = [
    { email = "agent@warp.dev" },
    { email = "oz-agent@warp.dev" },
  ]
}

agent "qwen-code" {
  description = "Qwen Code"
  identities = [
    { email = "qwen-coder@alibabacloud.com" },
  ]
  names = ["qwen"]
}

agent "replit" {
  description = "Replit Agent"
  identities = [
    { email = "agent@replit.com" },
  ]
  patterns = ["^Replit-Commit-Author: (Agent|Assistant)\\s*$"]
}

agent "amazon-q" {
  description = "Amazon Q Developer and Kiro"
  identities = [
    { github_id = 208079219 },
    { login = "kiro-agent[bot]" },
  ]
  names = ["kiro"]
  logins = ["amazon-q-developer[bot]", "kiro-agent[bot]"]
}

agent "cline" {
  description = "Cline, Continue, Sourcegraph Cody, JetBrains AI, Roo Code (GitHub apps)"
  identities = [
    { github_id = 205137888 }, # cline[bot]
    { github_id = 230936708 }, # continue[bot]
    { github_id = 201248094 }, # sourcegraph-cody[bot]
    { github_id = 220155983 }, # jetbrains-ai[bot]
    { email = "roomote@roocode.com" },
  ]
  names = ["cline", "cody", "roo"]
  logins = ["cline[bot]", "continue[bot]", "sourcegraph-cody[bot]", "jetbrains-ai[bot]"]
}

agent "long-tail" {
  description = "Smaller agents seen in public history: Firebender, Cosine, claude-flow, Sisyphus, Cliffy"
  identities = [
    { email = "help@firebender.com" },
    { email = "agent@cosine.sh" },
    { email = "ruv@ruv.net" },
    { email = "clio-agent@sisyphuslabs.ai" },
    { email = "cliffy@ettio.com" },
  ]
  patterns = ["^🤖 Generated with \\[Firebender\\]"]
}

agent "ai-review-bots" {
  description = "AI review bots whose suggestions a person applied: CodeRabbit, Sourcery, Greptile, Qodo"
  review      = true
  identities = [
    { github_id = 136622811 }, # coderabbitai[bot]
    { github_id = 58596630 },  # sourcery-ai[bot]
    { github_id = 165735046 }, # greptile-apps[bot]
    { github_id = 151058649 }, # codiumai-pr-agent-pro[bot]
  ]
}

bot "dependabot" {
  description = "GitHub Dependabot"
  identities  = [{ github_id = 49699333 }, { login = "dependabot[bot]" }]
}

bot "renovate" {
  description = "Mend Renovate"
  identities  = [{ github_id = 29139614 }, { login = "renovate[bot]" }, { email = "bot@renovateapp.com" }]
}

bot "github-actions" {
  description = "GitHub Actions workflows committing as github-actions[bot]"
  identities  = [{ github_id = 41898282 }, { login = "github-actions[bot]" }]
}

bot "openhands-lint" {
  description = "OpenHands' lint-fix workflow: the agent's e-mail with its own name"
  identities  = [{ email = "openhands@all-hands.dev", name = "OpenHands Bot" }]
}

bot "release-automation" {
  description = "Release and contributor robots seen in public history"
  identities = [
    { login = "allcontributors[bot]" },
    { login = "blacksmith-sh[bot]" },
    { login = "hashicorp-tsccr[bot]" },
    { login = "gemini-cli-robot" },
    { email = "gemini-cli-robot@google.com" },
    { login = "release-please[bot]" },
    { github_id = 55107282 }, # release-please[bot]
    { email = "semantic-release-bot@martynus.net" },
    { email = "bot@goreleaser.com" },
    { login = "changeset-bot[bot]" },
    { login = "ghostty-vouch[bot]" },
    { login = "github-merge-queue[bot]" },
    { login = "copybara-service[bot]" },
  ]
}

bot "github-actions-user" {
  description = "GitHub Actions workflows committing with the actions user's address"
  identities  = [{ email = "action@github.com" }, { email = "actions@github.com" }, { email = "github-actions@github.com" }]
}

bot "maintenance-bots" {
  description = "Non-AI maintenance apps: formatting and lint autofix, stale issues, images, merges, coverage"
  identities = [
    { login = "pre-commit-ci[bot]" },
    { github_id = 66853113 }, # pre-commit-ci[bot]
    { login = "autofix-ci[bot]" },
    { login = "mergify[bot]" },
    { login = "kodiakhq[bot]" },
    { login = "imgbot[bot]" },
    { login = "stale[bot]" },
    { login = "codecov[bot]" },
    { login = "restyled-io[bot]" },
    { login = "dependabot-preview[bot]" },
    { login = "greenkeeper[bot]" },
    { login = "snyk-bot" },
    { email = "snyk-bot@snyk.io" },
    { login = "pyup-bot" },
    { email = "noreply@weblate.org" },
    { email = "hosted@weblate.org" },
  ]
}

disclosure {
  # People disclose AI help in these trailers. curl uses Assisted-by for human
  # helpers, so the value must name an AI tool or model: an agent's `names`
  # above, or one of these model words.
  trailers = ["Assisted-by", "Generated-by", "Coding-Agent", "AI-Assisted-by"]
  names = [
    "llm", "chatgpt", "gpt", "claude", "sonnet", "opus", "haiku", "gemini", "qwen",
    "deepseek", "mistral", "codestral", "llama", "grok", "glm", "kimi", "o1", "o3", "o4",
  ]
}

prose {
  # A line that starts with one of these (case-insensitive regular expressions),
  # followed by an agent's or model's name and nothing but the end of the
  # sentence or a joining word ("and", "to", "for"…), says a tool wrote the
  # change: "Developed with assistance from Claude Code", "This PR was written
  # by Codex". A line that only names a tool ("Fix Claude Code hook parsing",
  # "address Copilot review comments", "update CLAUDE.md") claims nothing.
  claims = [
    "((this|the) (commit|change|patch|pr|pull request|fix|code|implementation|refactor|feature|update|work) (was|is|has been) |(code|changes?|tests?|docs?) )?((fully|partly|partially|mostly|largely|entirely|primarily|completely) )?(generated|written|created|authored|developed|implemented|produced|drafted|coded|built|made|co-authored|co-written|co-developed|prepared|refactored)( (with|by|using|via|through|in collaboration with))( (the )?(help|assistance|support) (of|from))?",
    "(with|using) (the )?(help|assistance|support) (of|from)",
    "(ai|llm)[- ](assisted|generated) (by|with|using)",
  ]
  # Words that may follow an agent's or model's name in such a sentence or in a
  # co-author line without an address ("Claude Opus 4.6 (1M context)").
  words = [
    "code", "agent", "agents", "ai", "assistant", "assist", "cli", "app", "bot", "github",
    "google", "openai", "anthropic", "pro", "max", "mini", "nano", "flash", "lite",
    "preview", "thinking", "turbo", "context", "coder", "coding", "autofix", "powered",
    "by", "model", "latest", "high", "low", "medium", "swe", "cloud", "web", "ide",
    "desktop", "chat", "composer", "background", "labs", "developer", "plus",
  ]
}
