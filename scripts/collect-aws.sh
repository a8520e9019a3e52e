#!/usr/bin/env bash
# collect-aws.sh — collect one AWS account's network configuration, in one region, into a bundle
# folder that `pfsim import aws OUTDIR` reads (docs/aws-import.md describes the bundle).
#
#   bash scripts/collect-aws.sh [--profile P] [--region R] OUTDIR
#
# It runs only read-only AWS CLI calls (describe-*, get-*, sts get-caller-identity), each with
# --output json and the given --profile and --region, and writes:
#   - one file per call with the CLI's JSON output as printed, named after the call
#     (ec2-describe-vpcs.json, ..., elb-describe-load-balancers.json);
#   - elbv2-describe-rules.json: the rules of every ALB listener in one {"Rules": [...]} (each
#     RuleArn names its listener); only ALBs have listener rules, and describe-rules fails on a
#     Gateway Load Balancer's listener (ListenerNotFound, boto/boto3#3591);
#   - a wrapper for each call whose output names no parent, carrying the parent it was asked for:
#     elbv2-describe-target-health.json           {"LoadBalancerTargetHealth": [{"TargetGroupArn", "TargetHealthDescriptions"}]}
#     elbv2-describe-load-balancer-attributes.json {"LoadBalancerAttributes": [{"LoadBalancerArn", "Attributes"}]}
#     elbv2-describe-listeners.json               {"LoadBalancerListeners": [{"LoadBalancerArn", "Listeners"}]}
#     elbv2-describe-target-group-attributes.json {"TargetGroupAttributes": [{"TargetGroupArn", "Attributes"}]}
#     ec2-get-managed-prefix-list-entries.json    {"ManagedPrefixListEntries": [{"PrefixListId", "Entries"}]}
#     The entries are fetched for every list describe-managed-prefix-lists returns, the
#     AWS-managed ones too (com.amazonaws.global.cloudfront.origin-facing and the like are
#     managed prefix lists that describe-prefix-lists does not return);
#   - manifest.json: {"PfsimAwsBundle": {"Version": 1, "Region", "AccountId", "CollectedAt",
#     "Calls": ["ec2 describe-vpcs", ...]}}: every call whose output the bundle holds, a call
#     made once per parent listed once (its wrapper is complete, if empty, when there is none).
#
# Pagination: every call here is either paginated by the CLI (botocore's paginators-1.json
# lists each describe-* above and get-managed-prefix-list-entries; the CLI then fetches every
# page unless told --no-paginate or --max-items, which this script never passes) or has no
# pages at all (describe-target-health, the two describe-*-attributes, get-caller-identity). An
# output that still carries NextToken or NextMarker is refused, so no bundle is ever truncated.
#
# Needs: the AWS CLI (v2, or v1: both paginate) and jq. On Debian 12:
#   apt-get install awscli jq
# The caller needs ec2:Describe*, ec2:GetManagedPrefixListEntries and
# elasticloadbalancing:Describe* (the AWS managed policy ReadOnlyAccess has them).
#
# The bundle is written to a temporary folder beside OUTDIR and moved into place when every call
# has succeeded: OUTDIR must be new or empty, and is never left half-written. Exit status: 0 the
# bundle is written; 1 a call failed or a tool is missing (the message names the call and gives
# the CLI's error); 2 a usage error.
set -euo pipefail

prog=collect-aws.sh

usage() {
  cat <<'EOF'
usage: collect-aws.sh [--profile P] [--region R] OUTDIR

Collects an AWS account's network configuration (one region) with read-only AWS CLI calls into
the folder OUTDIR (new or empty), which `pfsim import aws OUTDIR` reads.

  --profile P   the AWS CLI profile to use (default: the CLI's own choice, e.g. AWS_PROFILE)
  --region R    the region to collect (default: AWS_REGION, AWS_DEFAULT_REGION, or the
                profile's configured region)
  -h, --help    print this help

Needs the AWS CLI and jq (Debian 12: apt-get install awscli jq).
EOF
}

fail() {
  printf '%s: %s\n' "$prog" "$*" >&2
  exit 1
}

usage_error() {
  printf '%s: %s\n' "$prog" "$*" >&2
  usage >&2
  exit 2
}

profile=
region=
outdir=
while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --profile | --region)
      [[ $# -ge 2 && -n $2 ]] || usage_error "$1 needs a value"
      if [[ $1 == --profile ]]; then profile=$2; else region=$2; fi
      shift 2
      ;;
    --profile=*) profile=${1#--profile=}; shift ;;
    --region=*) region=${1#--region=}; shift ;;
    --) shift; break ;;
    -*) usage_error "unknown option $1" ;;
    *)
      [[ -z $outdir ]] || usage_error "one OUTDIR only (got '$outdir' and '$1')"
      outdir=$1
      shift
      ;;
  esac
done
if [[ $# -gt 0 ]]; then
  [[ -z $outdir && $# -eq 1 ]] || usage_error "one OUTDIR only"
  outdir=$1
fi
[[ -n $outdir ]] || usage_error "OUTDIR is missing"

command -v aws >/dev/null ||
  fail "the AWS CLI ('aws') is not on PATH: install it (Debian 12: apt-get install awscli)"
command -v jq >/dev/null || fail "jq is not on PATH: install it (Debian 12: apt-get install jq)"

if [[ -e $outdir && ! -d $outdir ]]; then
  usage_error "OUTDIR '$outdir' exists and is not a folder"
fi
if [[ -d $outdir && -n $(ls -A -- "$outdir") ]]; then
  usage_error "OUTDIR '$outdir' is not empty: the bundle goes into a new or empty folder"
fi
parent_dir=$(dirname -- "$outdir")
[[ -d $parent_dir ]] || usage_error "the folder '$parent_dir' that should hold OUTDIR does not exist"

# The CLI v2 pipes its output through a pager and may prompt for parameters when so configured:
# neither must happen in a script (both variables are ignored by the CLI v1).
export AWS_PAGER=""
export AWS_CLI_AUTO_PROMPT=off

profile_args=()
[[ -z $profile ]] || profile_args=(--profile "$profile")

if [[ -z $region ]]; then
  region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
fi
if [[ -z $region ]]; then
  region=$(aws configure get region "${profile_args[@]}" 2>/dev/null || true)
fi
[[ -n $region ]] || usage_error "no region: pass --region R (or set AWS_REGION, or a region in the profile)"
# Every call names the region, so the bundle holds one region, the one its manifest states.
common_args=(--output json --region "$region" "${profile_args[@]}")

work=$(mktemp -d "$parent_dir/.collect-aws.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bundle=$work/bundle
mkdir -- "$bundle" "$work/parts"

collected_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
calls=()

# call OUT KEY SERVICE OPERATION [ARGS...]: runs one read-only call and writes its JSON output
# to OUT; fails, naming the call, when the CLI fails or its output is not an object holding KEY,
# or still carries a pagination token.
call() {
  local out=$1 key=$2 service=$3 operation=$4
  shift 4
  case "$service $operation" in
    "sts get-caller-identity" | *" describe-"* | *" get-"*) ;;
    *) fail "internal error: '$service $operation' is not a read-only call" ;;
  esac
  local what="aws $service $operation${*:+ $*}"
  local status=0
  aws "$service" "$operation" "$@" "${common_args[@]}" >"$out" 2>"$work/stderr" || status=$?
  if [[ $status -ne 0 ]]; then
    local error
    error=$(tr -s '[:space:]' ' ' <"$work/stderr")
    error=${error# }
    fail "$what failed (exit $status): ${error% }"
  fi
  local verdict
  verdict=$(jq -r --arg key "$key" 'if type != "object" or (has($key) | not) then "unexpected"
                                    elif has("NextToken") or has("NextMarker") then "truncated"
                                    else "ok" end' "$out" 2>/dev/null) || verdict=unexpected
  case $verdict in
    ok) ;;
    truncated) fail "$what returned one page only (its output carries NextToken or NextMarker): the bundle would be incomplete" ;;
    *) fail "$what printed no JSON object with \"$key\": $(head -c 300 "$out")" ;;
  esac
}

# raw SERVICE OPERATION KEY: a call made once, its output kept as the CLI printed it.
raw() {
  local service=$1 operation=$2 key=$3
  call "$bundle/$service-$operation.json" "$key" "$service" "$operation"
  calls+=("$service $operation")
  printf '%s: %s\n' "$prog" "aws $service $operation" >&2
}

# per_parent SERVICE OPERATION OPTION KEY WRAPPER PARENT_KEY PARENTS_FILE: the call made once per
# parent listed in PARENTS_FILE (one a line), the outputs wrapped as
# {WRAPPER: [{PARENT_KEY: parent, KEY: output.KEY}]} in SERVICE-OPERATION.json.
per_parent() {
  local service=$1 operation=$2 option=$3 key=$4 wrapper=$5 parent_key=$6 parents=$7
  local elements=$work/parts/$service-$operation.jsonl parent count=0
  : >"$elements"
  while IFS= read -r parent; do
    call "$work/parts/out.json" "$key" "$service" "$operation" "$option" "$parent"
    jq -c --arg parent "$parent" --arg pk "$parent_key" --arg key "$key" '{($pk): $parent, ($key): .[$key]}' \
      "$work/parts/out.json" >>"$elements"
    count=$((count + 1))
  done <"$parents"
  jq -s --arg wrapper "$wrapper" '{($wrapper): .}' "$elements" >"$bundle/$service-$operation.json"
  calls+=("$service $operation")
  printf '%s: %s\n' "$prog" "aws $service $operation $option ... ($count calls)" >&2
}

printf '%s: collecting region %s%s into %s\n' "$prog" "$region" "${profile:+ (profile $profile)}" "$outdir" >&2
call "$work/identity.json" Account sts get-caller-identity
account=$(jq -r .Account "$work/identity.json")

raw ec2 describe-vpcs Vpcs
raw ec2 describe-subnets Subnets
raw ec2 describe-network-acls NetworkAcls
raw ec2 describe-security-groups SecurityGroups
raw ec2 describe-security-group-rules SecurityGroupRules
raw ec2 describe-managed-prefix-lists PrefixLists
jq -r '.PrefixLists[].PrefixListId' "$bundle/ec2-describe-managed-prefix-lists.json" >"$work/prefix-lists"
per_parent ec2 get-managed-prefix-list-entries --prefix-list-id Entries ManagedPrefixListEntries PrefixListId \
  "$work/prefix-lists"
raw ec2 describe-prefix-lists PrefixLists
raw ec2 describe-network-interfaces NetworkInterfaces
raw ec2 describe-instances Reservations
raw ec2 describe-route-tables RouteTables
raw ec2 describe-internet-gateways InternetGateways
raw ec2 describe-traffic-mirror-sessions TrafficMirrorSessions
raw ec2 describe-flow-logs FlowLogs

raw elbv2 describe-load-balancers LoadBalancers
jq -r '.LoadBalancers[].LoadBalancerArn' "$bundle/elbv2-describe-load-balancers.json" >"$work/lbs"
per_parent elbv2 describe-listeners --load-balancer-arn Listeners LoadBalancerListeners LoadBalancerArn "$work/lbs"
per_parent elbv2 describe-load-balancer-attributes --load-balancer-arn Attributes LoadBalancerAttributes \
  LoadBalancerArn "$work/lbs"
# The rules of the ALBs' listeners, merged into one describe-rules output.
jq -r --slurpfile lbs "$bundle/elbv2-describe-load-balancers.json" \
  '[$lbs[0].LoadBalancers[] | select(.Type == "application") | .LoadBalancerArn] as $albs
   | .LoadBalancerListeners[] | select(.LoadBalancerArn as $arn | any($albs[]; . == $arn)) | .Listeners[].ListenerArn' \
  "$bundle/elbv2-describe-listeners.json" >"$work/alb-listeners"
rule_count=0
: >"$work/parts/rules.jsonl"
while IFS= read -r listener; do
  call "$work/parts/out.json" Rules elbv2 describe-rules --listener-arn "$listener"
  jq -c '.Rules[]' "$work/parts/out.json" >>"$work/parts/rules.jsonl"
  rule_count=$((rule_count + 1))
done <"$work/alb-listeners"
jq -s '{Rules: .}' "$work/parts/rules.jsonl" >"$bundle/elbv2-describe-rules.json"
calls+=("elbv2 describe-rules")
printf '%s: %s\n' "$prog" "aws elbv2 describe-rules --listener-arn ... ($rule_count calls, ALB listeners only)" >&2
raw elbv2 describe-target-groups TargetGroups
jq -r '.TargetGroups[].TargetGroupArn' "$bundle/elbv2-describe-target-groups.json" >"$work/tgs"
per_parent elbv2 describe-target-health --target-group-arn TargetHealthDescriptions LoadBalancerTargetHealth \
  TargetGroupArn "$work/tgs"
per_parent elbv2 describe-target-group-attributes --target-group-arn Attributes TargetGroupAttributes \
  TargetGroupArn "$work/tgs"
raw elb describe-load-balancers LoadBalancerDescriptions

jq -n --arg region "$region" --arg account "$account" --arg at "$collected_at" \
  '{PfsimAwsBundle: {Version: 1, Region: $region, AccountId: $account, CollectedAt: $at,
                     Calls: $ARGS.positional}}' --args "${calls[@]}" >"$bundle/manifest.json"

# Into place: OUTDIR is either absent or an empty folder (checked above).
if [[ -d $outdir ]]; then rmdir -- "$outdir"; fi
mv -T -- "$bundle" "$outdir"

# The summary: objects per kind.
summary() {
  local label=$1 file=$2 count_expr=$3
  printf '  %-40s %6s   %s\n' "$label" "$(jq "$count_expr" "$outdir/$file")" "$file"
}
printf 'collected account %s, region %s, into %s:\n' "$account" "$region" "$outdir"
summary VPCs ec2-describe-vpcs.json '.Vpcs | length'
summary subnets ec2-describe-subnets.json '.Subnets | length'
summary "network ACLs" ec2-describe-network-acls.json '.NetworkAcls | length'
summary "security groups" ec2-describe-security-groups.json '.SecurityGroups | length'
summary "security-group rules" ec2-describe-security-group-rules.json '.SecurityGroupRules | length'
summary "managed prefix lists" ec2-describe-managed-prefix-lists.json '.PrefixLists | length'
summary "managed prefix-list entries" ec2-get-managed-prefix-list-entries.json \
  '[.ManagedPrefixListEntries[].Entries[]] | length'
summary "AWS-managed prefix lists" ec2-describe-prefix-lists.json '.PrefixLists | length'
summary "network interfaces" ec2-describe-network-interfaces.json '.NetworkInterfaces | length'
summary instances ec2-describe-instances.json '[.Reservations[].Instances[]] | length'
summary "route tables" ec2-describe-route-tables.json '.RouteTables | length'
summary "internet gateways" ec2-describe-internet-gateways.json '.InternetGateways | length'
summary "traffic-mirror sessions" ec2-describe-traffic-mirror-sessions.json '.TrafficMirrorSessions | length'
summary "flow logs" ec2-describe-flow-logs.json '.FlowLogs | length'
summary "load balancers (ALB, NLB, GWLB)" elbv2-describe-load-balancers.json '.LoadBalancers | length'
summary listeners elbv2-describe-listeners.json '[.LoadBalancerListeners[].Listeners[]] | length'
summary "load-balancer attribute sets" elbv2-describe-load-balancer-attributes.json '.LoadBalancerAttributes | length'
summary "listener rules (ALB)" elbv2-describe-rules.json '.Rules | length'
summary "target groups" elbv2-describe-target-groups.json '.TargetGroups | length'
summary "targets (with their health)" elbv2-describe-target-health.json \
  '[.LoadBalancerTargetHealth[].TargetHealthDescriptions[]] | length'
summary "target-group attribute sets" elbv2-describe-target-group-attributes.json '.TargetGroupAttributes | length'
summary "Classic load balancers" elb-describe-load-balancers.json '.LoadBalancerDescriptions | length'
printf 'next: pfsim import aws %s\n' "$outdir"
