using System.Diagnostics;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.ServiceDefaults;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// The OpenAPI documents the hub serves, as a developer's tools read them: Spectral's OpenAPI rules find nothing to
/// say, every operation the gateway routes is in the combined document under its hub name with the headers the
/// gateway asks for, and a client Kiota generates from it works through the gateway.
/// </summary>
[Collection(HubTests.Name)]
public sealed class OpenApiTests(HubFixture hub)
{
    /// <summary>Every document the hub serves, as the gateway routes them.</summary>
    private static readonly string[] Documents =
    [
        "/openapi/v1.json",
        .. HubAgencies.All.SelectMany(agency => new[] { $"/api/{agency}/openapi/v1.json", $"/api/{agency}/openapi/admin.json" }),
    ];

    [Fact]
    public async Task Every_served_document_passes_Spectrals_OpenAPI_rules_with_no_error_and_no_warning()
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-openapi-").FullName;
        try
        {
            var files = new List<string>();
            foreach (var document in Documents)
            {
                var file = Path.Combine(folder, document.Trim('/').Replace('/', '_'));
                await File.WriteAllTextAsync(file, await hub.Gateway.GetStringAsync(document));
                files.Add(file);
            }
            // The ruleset is tools/contract-lint/.spectral.yaml: spectral:oas, as it comes. A warning fails as an error does.
            var (exitCode, output) = await ContractLint.RunAsync(TimeSpan.FromSeconds(120),
                ["node_modules/@stoplight/spectral-cli/dist/index.js", "lint", "--ruleset", ".spectral.yaml", "--fail-severity", "warn", .. files]);
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Every_routed_operation_is_in_the_combined_document_under_its_hub_name_with_the_gateways_headers_and_answers()
    {
        using var catalog = JsonDocument.Parse(await hub.Gateway.GetStringAsync("/catalog"));
        using var combined = JsonDocument.Parse(await hub.Gateway.GetStringAsync("/openapi/v1.json"));
        var paths = combined.RootElement.GetProperty("paths");
        var operationIds = new List<string>();
        foreach (var routed in catalog.RootElement.EnumerateArray().SelectMany(service => service.GetProperty("operations").EnumerateArray()))
        {
            var name = routed.GetProperty("name").GetString()!;
            // The gateway's route patterns may carry constraints ({id:guid}); OpenAPI paths do not.
            var path = System.Text.RegularExpressions.Regex.Replace(routed.GetProperty("path").GetString()!, @"\{([^}:]+):[^}]+\}", "{$1}");
            Assert.True(paths.TryGetProperty(path, out var item), $"{name}: {path} is not in the combined document");
            var operation = item.GetProperty(routed.GetProperty("method").GetString()!.ToLowerInvariant());
            Assert.Equal(name, operation.GetProperty("operationId").GetString());
            foreach (var text in new[] { "summary", "description" })
                Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty(text).GetString()), $"{name} has no {text}");

            var headers = operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header")
                    .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.TryGetProperty("required", out var required) && required.GetBoolean())
                : [];
            var personalData = routed.GetProperty("personalData").GetBoolean();
            foreach (var header in new[] { HubHeaders.Purpose, HubHeaders.Officer })
                Assert.True(headers.GetValueOrDefault(header) == personalData, $"{name}: {header} required {personalData} as the gateway has it, the document says {headers.GetValueOrDefault(header)}");
            Assert.DoesNotContain(HubHeaders.Consumer, headers.Keys);

            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "401", "403", "429", "502", "503", "504" })
                Assert.True(responses.TryGetProperty(status, out _), $"{name} does not declare the gateway's {status}");
            Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _), $"{name}: a 429 says when to retry");
            var examples = responses.EnumerateObject().Where(r => r.Name.StartsWith('2'))
                .SelectMany(r => r.Value.GetProperty("content").EnumerateObject()).Where(media => media.Value.TryGetProperty("example", out _));
            Assert.True(examples.Any(), $"{name} has no example answer");
            if (operation.TryGetProperty("requestBody", out var body))
                Assert.True(body.GetProperty("content").EnumerateObject().All(media => media.Value.TryGetProperty("example", out _)), $"{name} has no example body");
            operationIds.Add(name);
        }
        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
        Assert.Equal("lgsp.issue-token", paths.GetProperty("/connect/token").GetProperty("post").GetProperty("operationId").GetString());
        Assert.Equal(hub.GatewayUrl.ToString().TrimEnd('/'), combined.RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Integers_are_integers_in_every_document_and_the_API_still_reads_them_from_strings()
    {
        foreach (var document in Documents)
        {
            using var json = JsonDocument.Parse(await hub.Gateway.GetStringAsync(document));
            var unions = Schemas(json.RootElement).Where(schema =>
                schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array
                && type.EnumerateArray().Select(t => t.GetString()).ToList() is var types
                && types.Contains("string") && (types.Contains("integer") || types.Contains("number")));
            Assert.Empty(unions.Select(schema => $"{document}: {schema}"));
        }

        // The document states the integer clients send; the API keeps reading one sent as a string, as before.
        var parcel = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0).Parcels[0];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/land/transfers")
        {
            Content = new StringContent($$"""{"communeCode":"{{parcel.CommuneCode}}","mapSheet":"0","parcelNumber":"{{parcel.ParcelNumber}}"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(HubHeaders.Purpose, "dev.openapi-tests");
        request.Headers.Add(HubHeaders.Officer, "officer-001");
        using var answer = await hub.Gateway.SendAsync(request);
        using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        // Both read from their strings: the sheet "0" reaches the validation (a sheet is at least 1), the parcel number passes it.
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("mapSheet", out _), problem.RootElement.ToString());
        Assert.False(errors.TryGetProperty("parcelNumber", out _), problem.RootElement.ToString());
    }

    [Fact]
    public async Task A_client_Kiota_generates_from_the_served_document_gets_a_token_reads_gets_typed_problems_and_follows_a_birth_dossier()
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-kiota-").FullName;
        try
        {
            var document = Path.Combine(folder, "openapi.json");
            using (var anonymous = new HttpClient())
                await File.WriteAllTextAsync(document, await anonymous.GetStringAsync(new Uri(hub.GatewayUrl, "/openapi/v1.json")));
            var flow = Path.Combine(HubLayout.RepositoryRoot, "tools", "kiota-flow");
            foreach (var file in Directory.GetFiles(flow))
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));

            // The tool manifest's Kiota (./lgsp test restores it); offline, so it does not look for a newer release.
            await RunAsync("dotnet", HubLayout.RepositoryRoot, TimeSpan.FromSeconds(120),
                ["kiota", "generate", "--language", "CSharp", "--openapi", document, "--output", Path.Combine(folder, "Client"),
                 "--namespace-name", "Lgsp.Client", "--class-name", "HubClient", "--exclude-backward-compatible", "--log-level", "Warning"]);
            await RunAsync("dotnet", folder, TimeSpan.FromSeconds(240), ["build", "--nologo", "-v", "q", "-o", Path.Combine(folder, "out")]);

            var mother = hub.Mother(18);
            // Well-formed, and no citizen's: the seed's province code is 049, 999 is none.
            var nobody = PersonalId.Create("999", Sex.Male, 1900, serial: 0);
            var output = await RunAsync("dotnet", folder, TimeSpan.FromSeconds(120),
                [Path.Combine(folder, "out", "KiotaFlow.dll"), hub.Everything.Id, hub.Everything.Secret, mother.PersonalId.Value, mother.Commune.Code,
                 HubHeaders.Purpose, HubHeaders.Officer, nobody.Value]);
            Assert.Contains("404: ProblemDetails", output);
            Assert.Contains("400: HttpValidationProblemDetails, errors on personalId", output);
            Assert.Contains("dossier: Completed", output);
            Assert.Contains("child's personal ID issued: True", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<JsonElement> Schemas(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().SelectMany(p => p.Name == "schema" || p.Name == "items" || p.Name == "additionalProperties"
            ? [p.Value, .. Schemas(p.Value)]
            : Schemas(p.Value)).Concat(node.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Value) : []),
        JsonValueKind.Array => node.EnumerateArray().SelectMany(Schemas),
        _ => [],
    };

    /// <returns>The program's output; a non-zero exit fails the test with it.</returns>
    private static async Task<string> RunAsync(string program, string directory, TimeSpan timeout, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var errors = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran past {timeout.TotalSeconds:0} s.");
        }
        var text = (await output) + (await errors);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
