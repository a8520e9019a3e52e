#!/usr/bin/env bash
# collect_aws_test.sh SCRIPT STUB_DIR DATA_DIR — scripts/collect-aws.sh against the stub AWS CLI
# (STUB_DIR/aws, answering from DATA_DIR/aws-stub/calls.tsv with the samples of DATA_DIR): the
# calls it makes and their options, the bundle it writes (the raw outputs, each wrapper's parent
# ARN against what the stub served for that parent, the manifest), the committed example bundle
# DATA_DIR/aws-bundle-stub, and its exit codes and leftovers when aws is missing, a call fails or
# an output is truncated. PFSIM_UPDATE_GOLDENS=1 rewrites the example bundle.
set -uo pipefail
export LC_ALL=C

script=$1
stub_dir=$2
data=$3
command -v jq >/dev/null || { echo "jq is not on PATH (bash scripts/quickstart.sh installs it)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_STUB_FAIL AWS_STUB_TRUNCATE AWS_STUB_CONFIGURED_REGION
export AWS_STUB_DATA=$data AWS_STUB_LOG=$tmp/calls.log
stub_path=$stub_dir:$PATH

failures=0
failed() {
  echo "FAILED: $*"
  failures=$((failures + 1))
}
# expect_eq WHAT GOT WANTED
expect_eq() {
  [[ $2 == "$3" ]] || failed "$1: got [$2], wanted [$3]"
}
# expect_json WHAT FILE FILTER WANTED_FILE WANTED_FILTER: FILTER on FILE equals WANTED_FILTER on
# WANTED_FILE (on no input when WANTED_FILE is empty), as JSON values.
expect_json() {
  local got wanted
  got=$(jq -cS "$3" "$2" 2>&1)
  if [[ -n $4 ]]; then wanted=$(jq -cS "$5" "$4" 2>&1); else wanted=$(jq -ncS "$5" 2>&1); fi
  [[ -n $got && $got == "$wanted" ]] || failed "$1: got $got, wanted $wanted"
}
# collect NAME [ARGS...]: runs the script (stub first on PATH) with ARGS; its exit status in
# $status, its stdout and stderr in $tmp/NAME.out and $tmp/NAME.err; the stub's log starts anew.
collect() {
  local name=$1
  shift
  : >"$AWS_STUB_LOG"
  status=0
  PATH=$stub_path bash "$script" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
}
leftovers() { find "$1" -maxdepth 1 -name '.collect-aws.*' | wc -l; }

samples=$data/aws-samples
snapshot=$samples/snapshot-test-load-balancer
nlb=arn:aws:elasticloadbalancing:us-east-2:554773406868:loadbalancer/net/test-lb/725b996cb6be8fba
alb=arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188
tg=arn:aws:elasticloadbalancing:us-east-2:554773406868:targetgroup
my_targets=arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067

# The stub itself refuses what the script must never do (else the checks below could not fail).
AWS_PAGER="" PATH=$stub_path aws ec2 delete-vpc --vpc-id vpc-1 --output json >/dev/null 2>&1
expect_eq "stub: a write call" "$?" 97
AWS_PAGER="" PATH=$stub_path aws ec2 describe-vpcs --output json --no-paginate >/dev/null 2>&1
expect_eq "stub: --no-paginate" "$?" 96
AWS_PAGER="" PATH=$stub_path aws ec2 describe-hosts --output json >/dev/null 2>&1
expect_eq "stub: an unknown call" "$?" 98

# --- a whole collection --------------------------------------------------------------------
out=$tmp/bundle
collect ok --profile audit --region us-east-2 "$out"
expect_eq "exit status" "$status" 0
[[ $status -eq 0 ]] || cat "$tmp/ok.err"

# Every call, in order, with its count (the per-parent ones once per parent).
calls=$(awk '{ print $1, $2 }' "$AWS_STUB_LOG" | uniq -c | awk '{ print $2, $3, $1 }' | paste -sd ';')
expect_eq "calls made" "$calls" "$(paste -sd ';' <<'EOF'
sts get-caller-identity 1
ec2 describe-vpcs 1
ec2 describe-subnets 1
ec2 describe-network-acls 1
ec2 describe-security-groups 1
ec2 describe-security-group-rules 1
ec2 describe-managed-prefix-lists 1
ec2 get-managed-prefix-list-entries 2
ec2 describe-prefix-lists 1
ec2 describe-network-interfaces 1
ec2 describe-instances 1
ec2 describe-route-tables 1
ec2 describe-internet-gateways 1
ec2 describe-traffic-mirror-sessions 1
ec2 describe-flow-logs 1
elbv2 describe-load-balancers 1
elbv2 describe-listeners 2
elbv2 describe-load-balancer-attributes 2
elbv2 describe-rules 2
elbv2 describe-target-groups 1
elbv2 describe-target-health 5
elbv2 describe-target-group-attributes 5
elb describe-load-balancers 1
EOF
)"
# The per-parent calls name each parent once: every call line of the stub's table was asked.
expect_eq "distinct command lines" "$(sort -u "$AWS_STUB_LOG" | wc -l)" "$(grep -c $'\t' "$data/aws-stub/calls.tsv")"
# describe-rules only on the ALB's listeners: a GWLB's listener fails it, an NLB's has no rules.
expect_eq "describe-rules on an NLB listener" "$(grep -c 'describe-rules.*listener/net/' "$AWS_STUB_LOG")" 0
# Options: every call with --output json, the profile and the region; none turning off pagination.
expect_eq "calls without '--output json --region us-east-2 --profile audit'" \
  "$(grep -vc -- '--output json --region us-east-2 --profile audit$' "$AWS_STUB_LOG")" 0
expect_eq "calls limiting pagination" \
  "$(grep -Ec -- '--no-paginate|--max-items|--starting-token|--page-size' "$AWS_STUB_LOG")" 0

expect_eq "bundle files" "$(ls "$out" | paste -sd ' ')" "$(paste -sd ' ' <<'EOF'
ec2-describe-flow-logs.json
ec2-describe-instances.json
ec2-describe-internet-gateways.json
ec2-describe-managed-prefix-lists.json
ec2-describe-network-acls.json
ec2-describe-network-interfaces.json
ec2-describe-prefix-lists.json
ec2-describe-route-tables.json
ec2-describe-security-group-rules.json
ec2-describe-security-groups.json
ec2-describe-subnets.json
ec2-describe-traffic-mirror-sessions.json
ec2-describe-vpcs.json
ec2-get-managed-prefix-list-entries.json
elb-describe-load-balancers.json
elbv2-describe-listeners.json
elbv2-describe-load-balancer-attributes.json
elbv2-describe-load-balancers.json
elbv2-describe-rules.json
elbv2-describe-target-group-attributes.json
elbv2-describe-target-groups.json
elbv2-describe-target-health.json
manifest.json
EOF
)"
expect_eq "leftover temporary folders" "$(leftovers "$tmp")" 0

# A call made once is kept byte for byte as the CLI printed it.
for call in "ec2 describe-vpcs" "ec2 describe-subnets" "ec2 describe-instances" "elbv2 describe-load-balancers" \
  "elb describe-load-balancers"; do
  read -r service operation <<<"$call"
  AWS_PAGER="" PATH=$stub_path aws "$service" "$operation" --output json >"$tmp/direct.json" 2>&1
  cmp -s "$tmp/direct.json" "$out/$service-$operation.json" || failed "$service-$operation.json differs from the CLI's output"
done
expect_json "describe-vpcs" "$out/ec2-describe-vpcs.json" . "$snapshot/Vpcs.json" .

# Each wrapper entry carries the parent it was asked for, with that parent's answer: the NLB's
# against Batfish's own wrappers of the same account, the others against the samples served.
health=$out/elbv2-describe-target-health.json
expect_eq "target-health parents" "$(jq -r '[.LoadBalancerTargetHealth[].TargetGroupArn] | join(" ")' "$health")" \
  "$tg/target1/10b6be82e58c40a8 $tg/target2/83497c665a7d7cbf $tg/target3/5096a5bf6c158f19 $tg/test-lb-tg/8e891d8fcdf8ece8 $my_targets"
expect_json "target health of test-lb-tg" "$health" \
  ".LoadBalancerTargetHealth[] | select(.TargetGroupArn == \"$tg/test-lb-tg/8e891d8fcdf8ece8\")" \
  "$snapshot/LoadBalancerTargetHealth.json" '.LoadBalancerTargetHealth[0]'
for pair in target1/10b6be82e58c40a8:3 target2/83497c665a7d7cbf:4 target3/5096a5bf6c158f19:5; do
  expect_json "target health of ${pair%%/*}" "$health" \
    ".LoadBalancerTargetHealth[] | select(.TargetGroupArn == \"$tg/${pair%:*}\") | .TargetHealthDescriptions" \
    "$samples/awscli-elbv2-describe-target-health-${pair##*:}.json" .TargetHealthDescriptions
done
expect_json "target health of my-targets" "$health" \
  ".LoadBalancerTargetHealth[] | select(.TargetGroupArn == \"$my_targets\") | .TargetHealthDescriptions" \
  "$samples/awscli-elbv2-describe-target-health-1.json" .TargetHealthDescriptions

attributes=$out/elbv2-describe-load-balancer-attributes.json
expect_eq "load-balancer attribute parents" \
  "$(jq -r '[.LoadBalancerAttributes[].LoadBalancerArn] | join(" ")' "$attributes")" "$nlb $alb"
expect_json "attributes of the NLB" "$attributes" ".LoadBalancerAttributes[] | select(.LoadBalancerArn == \"$nlb\")" \
  "$snapshot/LoadBalancerAttributes.json" '.LoadBalancerAttributes[0]'
expect_json "attributes of the ALB" "$attributes" \
  ".LoadBalancerAttributes[] | select(.LoadBalancerArn == \"$alb\") | .Attributes" \
  "$samples/batfish-LoadBalancerAttributesTest.json" '.LoadBalancerAttributes[0].Attributes'

listeners=$out/elbv2-describe-listeners.json
expect_json "listeners of the NLB" "$listeners" ".LoadBalancerListeners[] | select(.LoadBalancerArn == \"$nlb\")" \
  "$snapshot/LoadBalancerListeners.json" '.LoadBalancerListeners[0]'
expect_json "listeners of the ALB" "$listeners" ".LoadBalancerListeners[] | select(.LoadBalancerArn == \"$alb\")" \
  "$samples/awscli-elbv2-describe-listeners-2.json" "{LoadBalancerArn: \"$alb\", Listeners}"

tg_attributes=$out/elbv2-describe-target-group-attributes.json
expect_eq "target-group attribute parents" "$(jq '.TargetGroupAttributes | length' "$tg_attributes")" 5
expect_json "attributes of test-lb-tg" "$tg_attributes" \
  ".TargetGroupAttributes[] | select(.TargetGroupArn == \"$tg/test-lb-tg/8e891d8fcdf8ece8\") | .Attributes" \
  "$samples/awscli-elbv2-describe-target-group-attributes-3.json" .Attributes
expect_json "attributes of target3" "$tg_attributes" \
  ".TargetGroupAttributes[] | select(.TargetGroupArn == \"$tg/target3/5096a5bf6c158f19\") | .Attributes" \
  "$samples/awscli-elbv2-describe-target-group-attributes-2.json" .Attributes
expect_json "attributes of my-targets" "$tg_attributes" \
  ".TargetGroupAttributes[] | select(.TargetGroupArn == \"$my_targets\") | .Attributes" \
  "$samples/awscli-elbv2-describe-target-group-attributes-1.json" .Attributes

entries=$out/ec2-get-managed-prefix-list-entries.json
expect_eq "prefix-list parents" "$(jq -r '[.ManagedPrefixListEntries[].PrefixListId] | join(" ")' "$entries")" \
  "pl-11223344556677aab pl-0123456abcabcabc1"
expect_json "entries of pl-0123456abcabcabc1" "$entries" \
  '.ManagedPrefixListEntries[] | select(.PrefixListId == "pl-0123456abcabcabc1") | .Entries' \
  "$samples/awscli-ec2-get-managed-prefix-list-entries-1.json" .Entries

# The ALB listeners' rules in one output: the HTTPS listener's default rule, then the HTTP one's three.
expect_json "rules" "$out/elbv2-describe-rules.json" '[.Rules[].RuleArn | split("/")[-2]]' \
  "" '["0467ef3c8400ae65", "f2f7dc8efc522ab2", "f2f7dc8efc522ab2", "f2f7dc8efc522ab2"]'

manifest=$out/manifest.json
expect_eq "manifest" "$(jq -c '.PfsimAwsBundle | del(.CollectedAt, .Calls)' "$manifest")" \
  '{"Version":1,"Region":"us-east-2","AccountId":"123456789012"}'
expect_eq "manifest calls" "$(jq -r '.PfsimAwsBundle.Calls | join(";")' "$manifest")" \
  "$(sed -n '2,$ s/ [0-9]*$//p' <<<"${calls//;/$'\n'}" | paste -sd ';')"
collected_at=$(jq -r .PfsimAwsBundle.CollectedAt "$manifest")
[[ $collected_at =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
  failed "CollectedAt is not ISO-8601 UTC: $collected_at"
grep -Eq '^  target groups +5   elbv2-describe-target-groups.json$' "$tmp/ok.out" ||
  failed "the summary lacks 'target groups 5': $(cat "$tmp/ok.out")"
grep -Eq '^  instances +3   ec2-describe-instances.json$' "$tmp/ok.out" ||
  failed "the summary lacks 'instances 3' (instances, not reservations)"

# The example bundle of tests/data is this bundle (its CollectedAt aside).
example=$data/aws-bundle-stub
if [[ ${PFSIM_UPDATE_GOLDENS:-} == 1 ]]; then
  rm -rf -- "$example"
  cp -r -- "$out" "$example"
  jq '.PfsimAwsBundle.CollectedAt = "2026-01-01T00:00:00Z"' "$out/manifest.json" >"$example/manifest.json"
  cp -- "$data/aws-stub/bundle-README.md" "$example/README.md"
fi
for file in "$out"/*.json; do
  name=$(basename -- "$file")
  if [[ $name == manifest.json ]]; then
    expect_json "$example/$name" "$example/$name" 'del(.PfsimAwsBundle.CollectedAt)' "$file" 'del(.PfsimAwsBundle.CollectedAt)'
  else
    cmp -s "$file" "$example/$name" || failed "$example/$name differs from a fresh collection (PFSIM_UPDATE_GOLDENS=1 rewrites it)"
  fi
done

# --- the region and the profile come from the environment when not given --------------------
# (Each run stops at its second call, made with the options of all: a whole run takes long.)
export AWS_STUB_FAIL="ec2 describe-vpcs"
collect env --region=eu-west-1 "$tmp/env"
expect_eq "--region=R: calls" "$(cut -d' ' -f3- "$AWS_STUB_LOG" | sort -u)" "--output json --region eu-west-1"
AWS_REGION=ap-south-1 AWS_DEFAULT_REGION=eu-north-1 collect env "$tmp/env"
expect_eq "AWS_REGION: calls" "$(cut -d' ' -f3- "$AWS_STUB_LOG" | sort -u)" "--output json --region ap-south-1"
AWS_DEFAULT_REGION=eu-north-1 collect env "$tmp/env"
expect_eq "AWS_DEFAULT_REGION: calls" "$(cut -d' ' -f3- "$AWS_STUB_LOG" | sort -u)" "--output json --region eu-north-1"
AWS_STUB_CONFIGURED_REGION=eu-central-1 collect env --profile=audit "$tmp/env"
expect_eq "configured region: calls" "$(grep -v '^configure get' "$AWS_STUB_LOG" | cut -d' ' -f3- | sort -u)" \
  "--output json --region eu-central-1 --profile audit"
expect_eq "configured region: asked of the profile" "$(grep '^configure get' "$AWS_STUB_LOG")" \
  "configure get region --profile audit"
unset AWS_STUB_FAIL
collect no-region "$tmp/no-region"
expect_eq "no region: exit status" "$status" 2
grep -q 'no region: pass --region' "$tmp/no-region.err" || failed "no region: message: $(cat "$tmp/no-region.err")"
[[ ! -e $tmp/no-region ]] || failed "no region: OUTDIR was created"

# --- usage ------------------------------------------------------------------------------------
collect help -h
expect_eq "-h: exit status" "$status" 0
grep -q '^usage: collect-aws.sh \[--profile P\] \[--region R\] OUTDIR$' "$tmp/help.out" || failed "-h prints no usage"
collect bad-option --zone x "$tmp/x"
expect_eq "unknown option: exit status" "$status" 2
collect no-outdir --region us-east-2
expect_eq "no OUTDIR: exit status" "$status" 2
expect_eq "no OUTDIR: calls made" "$(wc -l <"$AWS_STUB_LOG")" 0
collect not-empty --region us-east-2 "$out"
expect_eq "non-empty OUTDIR: exit status" "$status" 2
grep -q "is not empty" "$tmp/not-empty.err" || failed "non-empty OUTDIR: message: $(cat "$tmp/not-empty.err")"
expect_json "non-empty OUTDIR: left as it was" "$out/manifest.json" . "$manifest" .

# --- failures leave nothing behind -----------------------------------------------------------
# No aws on PATH: only the tools the script needs besides it.
mkdir "$tmp/bin"
for tool in bash jq dirname ls mktemp mkdir rm date tr head mv rmdir cat; do
  ln -s "$(command -v "$tool")" "$tmp/bin/$tool"
done
status=0
PATH=$tmp/bin bash "$script" --region us-east-2 "$tmp/no-aws" >"$tmp/no-aws.out" 2>"$tmp/no-aws.err" || status=$?
expect_eq "no aws: exit status" "$status" 1
grep -q "the AWS CLI ('aws') is not on PATH" "$tmp/no-aws.err" || failed "no aws: message: $(cat "$tmp/no-aws.err")"
[[ ! -e $tmp/no-aws ]] || failed "no aws: OUTDIR was created"

# A call refused by the account, after others have succeeded: into a new OUTDIR, and into an
# existing empty one, which stays empty.
# (A whole run takes long: the empty OUTDIR's stops at its second call.)
for target in "$tmp/failed" "$tmp/empty"; do
  if [[ $target == */empty ]]; then
    mkdir "$target"
    AWS_STUB_FAIL="ec2 describe-vpcs" collect failed --region us-east-2 "$target"
    wanted="aws ec2 describe-vpcs failed (exit 254): An error occurred (UnauthorizedOperation) when calling the DescribeVpcs operation"
  else
    AWS_STUB_FAIL="elbv2 describe-target-health" collect failed --region us-east-2 "$target"
    wanted="aws elbv2 describe-target-health --target-group-arn $tg/target1/10b6be82e58c40a8 failed (exit 254): .*UnauthorizedOperation"
  fi
  expect_eq "failing call: exit status" "$status" 1
  grep -q "$wanted" "$tmp/failed.err" ||
    failed "failing call: message names neither the call nor its error: $(cat "$tmp/failed.err")"
  if [[ $target == */empty ]]; then
    expect_eq "failing call: the empty OUTDIR's content" "$(ls -A "$target" | wc -l)" 0
  else
    [[ ! -e $target ]] || failed "failing call: OUTDIR was created"
  fi
  expect_eq "failing call: leftover temporary folders" "$(leftovers "$tmp")" 0
done
# An output of one page only.
AWS_STUB_TRUNCATE="ec2 describe-subnets" collect truncated --region us-east-2 "$tmp/truncated"
expect_eq "truncated output: exit status" "$status" 1
grep -q "aws ec2 describe-subnets returned one page only" "$tmp/truncated.err" ||
  failed "truncated output: message: $(cat "$tmp/truncated.err")"
[[ ! -e $tmp/truncated ]] || failed "truncated output: OUTDIR was created"
expect_eq "truncated output: leftover temporary folders" "$(leftovers "$tmp")" 0

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "collect-aws.sh: all checks passed"
