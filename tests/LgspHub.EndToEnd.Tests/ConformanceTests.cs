using System.Text.Json.Nodes;
using LgspHub.Conform;
using LgspHub.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// lgsp conform (tools/LgspHub.Conform) against the hub's own agencies, which must score 100 %, and against a stub
/// that gets land wrong on purpose, whose report must name each thing it gets wrong.
/// </summary>
[Collection(HubTests.Name)]
public sealed class ConformanceTests(HubFixture hub)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("population", 0)]
    [InlineData("civil-status", 1)]
    [InlineData("land", 2)]
    [InlineData("health-insurance", 3)]
    public async Task The_hub_s_own_agency_conforms_to_its_contract_in_every_operation_and_event(string agency, int slice)
    {
        var report = await RunAsync(Options(agency, hub.Hosts[agency].Url, slice) with { Broker = hub.Broker.Url });

        Assert.True(report.Conformant, report.ToText());
        Assert.Equal(100, report.Score);
        Assert.Contains(report.Subjects, s => s.Kind == SubjectKinds.Operation && s.Total > 0);
        Assert.Contains(report.Subjects, s => s.Kind == SubjectKinds.Event && s.Name.StartsWith("publishes ", StringComparison.Ordinal) && s.Total > 0);
        Assert.Contains(report.Subjects, s => s.Kind == SubjectKinds.Event && s.Name.StartsWith("consumes ", StringComparison.Ordinal) && s.Total > 0);
        Assert.Null(report.EventsNote);
    }

    [Fact]
    public async Task A_broken_land_stub_scores_less_and_the_report_names_each_thing_it_gets_wrong()
    {
        await using var stub = await BrokenLandAsync();
        // The contract from the hub's own build of land, started for the run: never what the stub says of itself.
        var landHost = HubLayout.Repository.Host(HubAgencies.Land);
        var land = Path.Combine(HubLayout.OutputDirectory(landHost), landHost.ProjectName + ".dll");

        var report = await RunAsync(Options("land", stub.Url, slice: 2) with { Contract = null, MockAssembly = land });

        var text = report.ToText();
        Assert.False(report.Conformant, text);
        Assert.InRange(report.Score, 0, 99.9);
        Assert.Contains("the hub's mock land", report.Contract, StringComparison.Ordinal);
        var mismatches = report.Subjects.SelectMany(s => s.Checks.Where(c => !c.Passed).SelectMany(c => c.Mismatches.Select(m => (Subject: s.Name, m)))).ToList();
        // A wrong type, with its path, what the schema asks and what came.
        Assert.Contains(mismatches, x => x.Subject.Contains("/parcels/{communeCode}", StringComparison.Ordinal) && x.m is { Status: "200", Path: "$.awaitingInheritance" }
            && x.m.Expected.Contains("boolean", StringComparison.Ordinal) && x.m.Actual == "\"no\"");
        // A required field missing.
        Assert.Contains(mismatches, x => x.Subject.Contains("/parcels/{communeCode}", StringComparison.Ordinal) && x.m.Path == "$" && x.m.Expected.Contains("ownerName", StringComparison.Ordinal));
        // A 200 where the contract declares the 400 a malformed personal ID gets.
        Assert.Contains(mismatches, x => x.Subject.Contains("/owners/{personalId}/parcels", StringComparison.Ordinal) && x.m.Status == "200" && x.m.Expected.StartsWith("400", StringComparison.Ordinal));
        // An answer the contract does not declare, in a media type it does not declare.
        Assert.Contains(mismatches, x => x.Subject.Contains("/transfers", StringComparison.Ordinal) && x.m.Status == "500");
        // It answers without the gateway's key.
        Assert.Contains(report.Subjects, s => s.Kind == SubjectKinds.Access && s.Passed == 0 && s.Total == 1);
        Assert.Contains("expected 401", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_system_that_does_not_answer_is_a_run_that_could_not_be_made_not_a_score()
    {
        var nobody = new Uri($"http://127.0.0.1:{HubFixture.FreePort()}");

        var error = await Assert.ThrowsAsync<ConformException>(() => RunAsync(Options("land", nobody, slice: 2)));

        Assert.Contains("does not answer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry", ExitCodes.Usage, "registry")]
    [InlineData("land", ExitCodes.CouldNotRun, "could not run")]
    public async Task The_command_s_exit_code_tells_a_bad_option_and_a_run_that_could_not_be_made_from_a_score(string agency, int code, string said)
    {
        // tools/LgspHub.Conform's build beside this assembly's: bin/<configuration>/<framework>.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tool = Path.Combine(HubLayout.RepositoryRoot, "tools", "LgspHub.Conform", "bin", output.Parent!.Name, output.Name, "lgsp-conform.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [tool, agency, $"http://127.0.0.1:{HubFixture.FreePort()}", "--contract", new Uri(hub.Hosts["land"].Url, "/api/land/openapi/v1.json").ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(code, process.ExitCode);
        Assert.Contains(said, await error, StringComparison.Ordinal);
    }

    /// <summary>The agency's contract as the hub's running mock of it serves it; the seed's conformance citizens, a slice per agency.</summary>
    private ConformOptions Options(string agency, Uri system, int slice)
    {
        var citizens = hub.Citizens(Pool.Conformance).Select(c => c.Index).ToList();
        var size = citizens.Count / 4;
        var mock = hub.Hosts[agency].Url;
        return new ConformOptions(
            agency, system, hub.Hosts[agency].DevelopmentSetting("Lgsp:Access:GatewayKey"),
            new Uri(mock, $"/api/{agency}/openapi/v1.json").ToString(), MockAssembly: null, Broker: null,
            hub.Seed.Value, citizens[0] + slice * size, citizens[0] + (slice + 1) * size, TimeSpan.FromSeconds(30));
    }

    private static async Task<ConformanceReport> RunAsync(ConformOptions options)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        return await Conformance.RunAsync(options, timeout.Token);
    }

    /// <summary>A land of a developer's own that gets it wrong: a string for a boolean, no owner name, 200s for everything, no key checked.</summary>
    private static async Task<Stub> BrokenLandAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/api/land/parcels/{communeCode}/{mapSheet}/{parcelNumber}", (string communeCode, int mapSheet, int parcelNumber) => Results.Json(new JsonObject
        {
            ["communeCode"] = communeCode,
            ["mapSheet"] = mapSheet,
            ["parcelNumber"] = parcelNumber,
            ["areaSquareMetres"] = 120,
            ["landUse"] = "ONT",
            ["certificateNumber"] = "CS 000001",
            ["ownerPersonalId"] = "049188309340",
            ["awaitingInheritance"] = "no",
        }));
        app.MapGet("/api/land/owners/{personalId}/parcels", (string personalId) => Results.Json(new JsonArray()));
        app.MapPost("/api/land/transfers", () => Results.Text("boom", statusCode: 500));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Stub(app, new Uri(address));
    }

    private sealed record Stub(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
