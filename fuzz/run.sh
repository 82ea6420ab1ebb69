#!/usr/bin/env bash
# Coverage-guided fuzzing of plangate's readers with cargo-fuzz (libFuzzer).
#
#   fuzz/run.sh [TARGET...]     default: every target, FUZZ_SECONDS (45) each
#
# Installs cargo-fuzz (pinned) into target/fuzz-tools when it is not on PATH,
# builds the targets with the nightly toolchain (or stable with
# RUSTC_BOOTSTRAP=1 when there is no nightly), seeds target/fuzz-corpus/TARGET
# from testdata, runs each target for a bounded time and exits 1 when one
# finds a crash, a hang or an invariant failure, naming the input and how to
# replay it. Exit 2: the fuzzers could not be built or run at all.
#
# Environment: FUZZ_SECONDS (per target), FUZZ_TOOLCHAIN=stable (use stable
# with RUSTC_BOOTSTRAP=1 even when nightly is there), FUZZ_SANITIZER (default none: the
# library is safe Rust, and without ASan the fuzzers run about twice as fast;
# `address` for the cargo-fuzz default).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
cargo_fuzz_version=0.13.2
tools=$root/target/fuzz-tools
seconds=${FUZZ_SECONDS:-45}
sanitizer=${FUZZ_SANITIZER:-none}
all=(terraform_plan cloudformation_change_set config commit_identity guard_command)
if (($#)); then targets=("$@"); else targets=("${all[@]}"); fi

die() {
    echo "fuzz/run.sh: $*" >&2
    exit 2
}

[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "FUZZ_SECONDS must be a whole number of seconds, not '$seconds'"
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || die "no fuzz target '$t' (targets: ${all[*]})"
done

# --- toolchain ---------------------------------------------------------------
# libFuzzer's instrumentation needs unstable rustc flags: the nightly toolchain,
# or stable told to accept them.
# FUZZ_TOOLCHAIN=stable forces the second (to check it on a machine with both).
if [[ ${FUZZ_TOOLCHAIN:-} != stable ]] && rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=(+nightly)
    toolchain_name=nightly
    replay="cargo +nightly fuzz"
else
    export RUSTC_BOOTSTRAP=1
    toolchain=()
    toolchain_name="$(rustc --version) with RUSTC_BOOTSTRAP=1"
    replay="RUSTC_BOOTSTRAP=1 cargo fuzz"
fi

# --- cargo-fuzz, pinned -------------------------------------------------------
have_cargo_fuzz() {
    "$1" --version 2>/dev/null | grep -qx "cargo-fuzz $cargo_fuzz_version"
}
if have_cargo_fuzz cargo-fuzz; then
    :
elif have_cargo_fuzz "$tools/bin/cargo-fuzz"; then
    export PATH="$tools/bin:$PATH"
else
    echo "fuzz/run.sh: installing cargo-fuzz $cargo_fuzz_version into $tools" >&2
    cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --root "$tools" \
        || die "cannot install cargo-fuzz $cargo_fuzz_version (crates.io unreachable?)"
    export PATH="$tools/bin:$PATH"
    have_cargo_fuzz cargo-fuzz || die "cargo-fuzz $cargo_fuzz_version did not install"
fi

# -O: the release profile of fuzz/Cargo.toml then decides where debug
# assertions and overflow checks are on (plangate's code, not its dependencies).
fuzz_flags=(-O --sanitizer "$sanitizer")

# --- build ----------------------------------------------------------------------
echo "fuzz/run.sh: building ${targets[*]} ($toolchain_name, sanitizer $sanitizer)" >&2
for t in "${targets[@]}"; do
    cargo "${toolchain[@]}" fuzz build "${fuzz_flags[@]}" "$t" \
        || die "cannot build fuzz target $t"
done

# --- seed corpora (generated; never committed) -----------------------------------
corpora=$root/target/fuzz-corpus

seed_terraform_plan() {
    local f name
    for f in testdata/terraform/*/plan.json testdata/attribution/*/plan.json; do
        name=${f#testdata/}
        cp "$f" "$1/seed-${name//\//-}"
    done
}

seed_cloudformation_change_set() {
    local f d name
    for f in testdata/cloudformation/*.json testdata/attribution/*/changeset.json; do
        name=${f#testdata/}
        cp "$f" "$1/seed-${name//\//-}"
    done
    # The files of one case as one input, NUL-separated (see the target).
    for d in testdata/cloudformation/*/; do
        name=$(basename "$d")
        perl -e 'local $/; my @docs; for (@ARGV) { open my $f, "<", $_ or die; push @docs, <$f> } print join("\0", @docs)' \
            "$d"*.json >"$1/seed-set-$name"
    done
}

seed_config() {
    local f name
    for f in rules/*.hcl src/config/templates/plangate.hcl; do
        name=${f//\//-}
        cp "$f" "$1/seed-$name"
    done
    while IFS= read -r -d '' f; do
        name=${f//\//-}
        cp "$f" "$1/seed-$name"
    done < <(find examples -name '*.hcl' -print0)
    # The configurations written inline in tests: raw strings that hold blocks.
    perl -e '
        my ($dir, @files) = @ARGV;
        my $n = 0;
        for my $file (@files) {
            open my $f, "<", $file or die; local $/; my $src = <$f>;
            while ($src =~ /r#"(.*?)"#/sg) {
                my $text = $1;
                next unless $text =~ /^\s*(rule|team|person|resource_group|agents?|bot|attribution)\b[^\n]*\{/m;
                (my $base = $file) =~ s{/}{-}g;
                open my $out, ">", sprintf("%s/seed-%s-%03d.hcl", $dir, $base, $n++) or die;
                print $out $text;
            }
        }' "$1" src/policy/tests.rs src/classify/tests.rs src/config/*.rs tests/*.rs
}

seed_guard_command() {
    # The guard's own examples and the shell forms its tests name.
    local n=0
    while IFS= read -r line; do
        [[ -n $line ]] || continue
        printf '%s' "$line" >"$1/seed-$((n++))"
    done < <(sed -nE 's/^ *example *= *"(.*)"$/\1/p' rules/guard.hcl
        printf '%s\n' "bash -c 'cd infra && terraform destroy'" 'echo $(tofu apply tfplan) | xargs -I{} aws s3 rb {}' \
            'for d in a b; do (cd "$d"; terragrunt run-all destroy); done' 'cat <<EOF | sh
terraform destroy
EOF' "sudo -u ops env X=1 nohup timeout 5 terraform state rm x &")
}

seed_commit_identity() {
    # Records in the exact `git log` format plangate reads (src/git/cli.rs),
    # made from the attribution cases' commits ...
    perl -MJSON::PP -e '
        my ($dir, @cases) = @ARGV;
        for my $case (@cases) {
            open my $f, "<", $case or die; local $/; my $c = decode_json(<$f>);
            (my $name = $case) =~ s{^testdata/attribution/|/case\.json$}{}g;
            my $i = 0;
            for my $s (@{ $c->{steps} }) {
                my @a = @{ $s->{author} // ["A U Thor", "author\@example.com"] };
                my @c = @{ $s->{committer} // \@a };
                my $msg = $s->{message} // "";
                my @paras = split /\n\n/, $msg;
                my $last = @paras > 1 ? $paras[-1] : "";
                my $trailers = join "", map { "$_\n" } grep { /^[A-Za-z0-9-]+: / } split /\n/, $last;
                my $sha = sprintf "%040x", ++$i;
                open my $out, ">:encoding(UTF-8)", "$dir/seed-$name-$i" or die;
                print $out join("\x1f", $sha, "", @a, @c, "N", $trailers, "$msg\n"), "\x1e\n";
            }
        }' "$1" testdata/attribution/*/case.json
    # ... and from this repository's own history, when there is one.
    if git rev-parse --git-dir >/dev/null 2>&1; then
        git log -n 40 --format='%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1fN%x1f%(trailers:unfold,only)%x1f%B%x1e' \
            | perl -e 'my $dir = shift; local $/ = "\x1e"; my $n = 0;
                while (my $r = <STDIN>) { open my $o, ">", sprintf("%s/seed-log-%03d", $dir, $n++) or die; print $o $r }' "$1"
    fi
}

declare -A dict=(
    [terraform_plan]=terraform.dict
    [cloudformation_change_set]=cloudformation.dict
    [config]=config.dict
    [commit_identity]=commit.dict
    [guard_command]=guard.dict
)
declare -A max_len=(
    [terraform_plan]=32768
    [cloudformation_change_set]=65536
    [config]=16384
    [commit_identity]=8192
    [guard_command]=4096
)

# --- run ----------------------------------------------------------------------
mkdir -p "$root/target/fuzz-logs"
failed=()
for t in "${targets[@]}"; do
    corpus=$corpora/$t
    mkdir -p "$corpus"
    "seed_$t" "$corpus"
    log=$root/target/fuzz-logs/$t.log
    echo "fuzz/run.sh: $t for ${seconds}s ($(find "$corpus" -type f | wc -l) corpus inputs), log $log" >&2
    set +e
    cargo "${toolchain[@]}" fuzz run "${fuzz_flags[@]}" "$t" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${max_len[$t]}" -dict="$root/fuzz/dict/${dict[$t]}" \
        -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    # libFuzzer's closing figures: runs, executions per second, coverage.
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE ' "$log" | tail -n 1 || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(sed -En 's/.* cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/cov: \1 ft: \2 corpus: \3/p' <<<"$done_line")
    if ((status == 0)); then
        echo "$t: ok, ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-no DONE line}"
        continue
    fi
    failed+=("$t")
    echo "$t: FAILED (exit $status); from $log:"
    # The panic (or libFuzzer's own report of a hang or memory blow-up),
    # without the stack trace and the input's bytes.
    sed -n '/panicked at\|^==[0-9]*== ERROR: libFuzzer/,/^stack backtrace:\|^SUMMARY/p' "$log" \
        | grep -v '^stack backtrace:' | head -n 30
    artifacts=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    if [[ -z $artifacts ]]; then
        echo "$t: no input was saved: the fuzzer itself failed (see $log)"
    fi
    for a in $artifacts; do
        echo "$t: input: $a"
        echo "  replay:   $replay run ${fuzz_flags[*]} $t $a"
        echo "  minimise: $replay tmin ${fuzz_flags[*]} $t $a"
    done
done

if ((${#failed[@]})); then
    echo "fuzz/run.sh: failures in ${failed[*]}" >&2
    exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} target(s), ${seconds}s each: no failures"
