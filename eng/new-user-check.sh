#!/usr/bin/env bash
# Walks the path of a new user with the packages as NuGet would serve them:
#   1. packs every packable project (src/*) into a temporary folder, with a unique prerelease version;
#   2. checks each package's metadata (icon, its own README, CHANGELOG, release notes that name the version);
#   3. creates a fresh console app outside the repository that references the packages from that folder (plus nuget.org
#      for their dependencies), pastes the README's quick start as Program.cs, and adds one line that sends the app's
#      HTTP calls to an in-process stub answering as OpenAI would (so it runs offline, without a key);
#   4. builds and runs it, and checks that costs/llm-costs.jsonl holds one priced record.
# Usage: eng/new-user-check.sh [--keep]   (--keep leaves the temporary folder for inspection)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/llmcost-new-user.XXXXXX")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
suffix="check.$(date +%s)"
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$repo/Directory.Build.props")-$suffix"
cleanup() {
  # The throw-away version leaves the user's NuGet cache as it was.
  rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/llmcost.sdk*/"$version"
  [ "$keep" = 1 ] || rm -rf "$work"
}
keep=0; [ "${1:-}" = "--keep" ] && keep=1 && echo "work folder: $work"
trap cleanup EXIT
feed="$work/packages"

echo "== pack $version"
for project in "$repo"/src/*/*.csproj; do
  if grep -q '<IsPackable>true</IsPackable>' "$project"; then
    dotnet pack "$project" -c Release -o "$feed" -p:VersionSuffix="$suffix" -p:ContinuousIntegrationBuild=true --nologo -v quiet
  fi
done

echo "== package metadata"
for nupkg in "$feed"/*.nupkg; do
  case "$nupkg" in *.snupkg) continue ;; esac
  name="$(basename "$nupkg")"
  files="$(unzip -Z1 "$nupkg")"
  for required in icon.png README.md CHANGELOG.md; do
    grep -qx "$required" <<<"$files" || { echo "FAIL $name: no $required"; exit 1; }
  done
  nuspec="$(unzip -p "$nupkg" '*.nuspec')"
  grep -q "<icon>icon.png</icon>" <<<"$nuspec" || { echo "FAIL $name: no <icon>"; exit 1; }
  grep -q "<releaseNotes>Changes in $version" <<<"$nuspec" || { echo "FAIL $name: release notes do not name $version"; exit 1; }
  if unzip -p "$nupkg" README.md | grep -Eq '\]\((\.\./|docs/|src/|samples/|benchmarks/)'; then
    echo "FAIL $name: its README has repository-relative links"; exit 1
  fi
  grep -q '<repository type="git"' <<<"$nuspec" || { echo "FAIL $name: no repository metadata"; exit 1; }
  echo "ok   $name"
done

echo "== a fresh console app"
app="$work/CostDemo"
dotnet new console -n CostDemo -o "$app" --framework net10.0 >/dev/null
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
# The quick start's own commands, with the version just packed.
(cd "$app" && dotnet add package LlmCost.Sdk --version "$version" >/dev/null && dotnet add package Microsoft.Extensions.Hosting >/dev/null)

# The README's quick start, verbatim: the first block marked "compile: program".
awk '/^```csharp compile: program/ { inside = 1; next } inside && /^```/ { exit } inside { print }' "$repo/README.md" > "$app/Program.cs"
grep -q 'AddLlmCostTracking' "$app/Program.cs" || { echo "FAIL: no quick start found in README.md"; exit 1; }
# One added line after the builder: every HttpClient's primary handler is the stub (the tracking handler still runs).
sed -i 's|^var builder = Host.CreateApplicationBuilder(args);$|&\nbuilder.Services.ConfigureHttpClientDefaults(b => b.ConfigurePrimaryHttpMessageHandler(() => new StubOpenAIHandler()));|' "$app/Program.cs"
grep -q StubOpenAIHandler "$app/Program.cs" || { echo "FAIL: the quick start no longer starts with 'var builder = Host.CreateApplicationBuilder(args);'"; exit 1; }
cp "$repo/tests/LlmCost.Sdk.Tests/Payloads/openai-chat.json" "$app/openai-chat.json"
cat > "$app/StubOpenAIHandler.cs" <<'CS'
using System.Net;
using System.Net.Http.Headers;

/// <summary>Answers every request as OpenAI's Chat Completions would, from a recorded response.</summary>
internal sealed class StubOpenAIHandler : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken); // sent, as a socket would
        }

        var content = new ByteArrayContent(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "openai-chat.json")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
CS
sed -i 's|</Project>|  <ItemGroup><None Include="openai-chat.json" CopyToOutputDirectory="PreserveNewest" /></ItemGroup>\n</Project>|' "$app/CostDemo.csproj"

echo "== build and run"
(cd "$app" && dotnet build -c Release --nologo -v quiet -warnaserror && env -u OPENAI_API_KEY dotnet run -c Release --no-build)

records="$app/costs/llm-costs.jsonl"
[ -f "$records" ] || { echo "FAIL: $records was not written"; exit 1; }
lines=$(wc -l < "$records")
[ "$lines" -eq 1 ] || { echo "FAIL: $records has $lines records, expected 1"; cat "$records"; exit 1; }
grep -q '"provider":"openai"' "$records" && grep -q '"requestModel":"gpt-4o-mini"' "$records" && grep -q '"feature":"ticket-triage"' "$records" \
  && grep -q '"cost":{"currency":"USD"' "$records" \
  || { echo "FAIL: the record is not an attributed, priced OpenAI record:"; cat "$records"; exit 1; }
echo "ok   one priced record:"
cat "$records"
echo "new-user check passed ($version)"
