using System.Diagnostics;
using System.Net.Http.Json;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The broker goes away under load (killed, or stopped) and comes back: every dossier completes, none twice.</summary>
[Collection(OutageHubTests.Name)]
public sealed class BrokerRestartTests(OutageHubFixture hub)
{
    [Fact]
    public async Task Dossiers_submitted_while_the_broker_is_killed_and_started_again_all_complete_exactly_once()
    {
        var kill = BrokerCommand("kill");
        var start = BrokerCommand("start");
        var childrenBefore = await hub.CountAsync("population", "SELECT COUNT(*) FROM Citizens WHERE BirthDossierId IS NOT NULL");
        var registrationsBefore = await hub.CountAsync("civil-status", "SELECT COUNT(*) FROM Registrations WHERE DossierId IS NOT NULL");
        // Births and deaths for 14 s; the broker is killed 4 s in, as a crash, and started again from 5 s (back about 8 s
        // later): what it confirmed before it died must survive, and what the agencies wrote meanwhile waits in their outboxes.
        var scenario = ScenarioFile.Parse($$"""
            {
              "name": "broker-restart",
              "province": { "seed": {{hub.Seed.Value}}, "citizens": "{{hub.LoadRange.From}}..{{hub.LoadRange.To}}" },
              "consumers": { "commune": { "clientId": "{{hub.AllAgencies.Id}}", "secret": "{{hub.AllAgencies.Secret}}" } },
              "stages": [ { "duration": "14s", "rate": 3 } ],
              "mix": [ { "flow": "birth-dossier", "consumer": "commune", "weight": 3 }, { "flow": "death-dossier", "consumer": "commune", "weight": 1 } ],
              "events": [ { "at": "4s", "command": "{{kill}}" }, { "at": "5s", "command": "{{start}}" } ],
              "drain": "120s"
            }
            """);

        var result = await new LoadRunner(scenario, hub.GatewayUrl).RunAsync(null, CancellationToken.None);

        Assert.All(result.Events, e => Assert.True(e.Applied, e.Problem));
        Assert.All(result.Dossiers, d =>
        {
            Assert.Equal(0, d.NotAccepted);   // the hub took every declaration while the broker was away
            Assert.Equal(d.Owed, d.Completed);
        });
        var births = result.Dossiers.Single(d => d.Kind == "birth").Completed;
        var deaths = result.Dossiers.SingleOrDefault(d => d.Kind == "death")?.Completed ?? 0;
        Assert.True(births > 20, $"{births} births completed");
        // Exactly one child and one registration for each: redeliveries after the restart changed nothing.
        Assert.Equal(births, await hub.CountAsync("population", "SELECT COUNT(*) FROM Citizens WHERE BirthDossierId IS NOT NULL") - childrenBefore);
        Assert.Equal(births + deaths, await hub.CountAsync("civil-status", "SELECT COUNT(*) FROM Registrations WHERE DossierId IS NOT NULL") - registrationsBefore);
        Assert.Equal(0, await hub.CountAsync("population", "SELECT COUNT(*) FROM (SELECT BirthDossierId FROM Citizens WHERE BirthDossierId IS NOT NULL GROUP BY BirthDossierId HAVING COUNT(*) > 1)"));
        Assert.Equal(0, await hub.CountAsync("civil-status", "SELECT COUNT(*) FROM (SELECT DossierId FROM Registrations WHERE DossierId IS NOT NULL GROUP BY DossierId HAVING COUNT(*) > 1)"));
    }

    /// <summary>
    /// A delivery in hand when the broker stops loses its acknowledgement and is delivered again once the broker is back:
    /// one delivery, consumed once, never in an error queue. Health insurance holds its deliveries (an outage) so that some
    /// are surely in hand when the broker stops.
    /// </summary>
    [Fact]
    public async Task A_delivery_interrupted_by_a_broker_restart_counts_once_as_succeeded_and_never_as_failed()
    {
        const string queue = "health-insurance-child-personal-id-issued";
        var stop = BrokerCommand("stop");
        var start = BrokerCommand("start");
        using var broker = new BrokerManagement(hub.Broker);
        using var injector = await hub.FaultInjector.ClientAsync(hub.GatewayUrl);
        var before = await hub.DeliveriesAsync(queue);
        var errorsBefore = await ErrorMessagesAsync(broker, queue);
        string[] statusUrls;
        try
        {
            (await injector.PutAsJsonAsync("/lgsp/faults/health-insurance", new { outage = true })).EnsureSuccessStatusCode();
            statusUrls = [
                await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(20), childName: "Đỗ Gia Bảo")),
                await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(21), childName: "Đỗ Ngọc Hân")),
            ];
            // Population has issued each child's ID and published it; health insurance holds the events, unacknowledged.
            foreach (var statusUrl in statusUrls)
                await hub.WaitForAsync(statusUrl, d => d.Step("personal-id-and-residence").State() == "Completed", "the child's personal ID to be issued");
            await Eventually.True(async () => (await broker.QueueAsync("/", queue))?.GetProperty("messages_unacknowledged").GetInt64() >= statusUrls.Length,
                TimeSpan.FromSeconds(20), "health insurance to hold both events");

            Run(stop);
            Run(start);
        }
        finally
        {
            await injector.DeleteAsync("/lgsp/faults/health-insurance");
        }
        foreach (var statusUrl in statusUrls)
            await hub.WaitForStateAsync(statusUrl, "Completed");

        // Each interrupted attempt ended (and was exported) before its redelivery was consumed.
        var after = await Eventually.Get(async () =>
        {
            var now = await hub.DeliveriesAsync(queue);
            return now.Succeeded >= before.Succeeded + statusUrls.Length ? now : null;
        }, TimeSpan.FromSeconds(30), "both deliveries in the figures");
        Assert.Equal(errorsBefore, await ErrorMessagesAsync(broker, queue));
        Assert.Equal(before.Failed, after.Failed);
        Assert.Equal(before.Succeeded + statusUrls.Length, after.Succeeded);
        Assert.True(after.Redelivered > before.Redelivered, $"{after.Redelivered - before.Redelivered} attempts counted as to be delivered again");
        // The outage may have cost health insurance its place in the gateway: wait until it has it back.
        await Eventually.True(async () => (await hub.Gateway.GetAsync("/api/health-insurance/openapi/v1.json")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(15), "the gateway to route to health insurance again");
    }

    /// <summary>
    /// The messages in the queue's error queue (none when it does not exist). Just after a restart the management API
    /// lists a queue before it has its figures: wait for them.
    /// </summary>
    private static async Task<long> ErrorMessagesAsync(BrokerManagement broker, string queue) =>
        (long)await Eventually.Get<object>(async () => await broker.QueueAsync("/", queue + "_error") switch
        {
            null => 0L,
            { } errors when errors.TryGetProperty("messages", out var messages) => messages.GetInt64(),
            _ => null,
        }, TimeSpan.FromSeconds(20), $"the broker's figures for {queue}_error");

    /// <summary>Runs one of ./lgsp's broker commands and waits for it (it returns once the broker is gone, or up and ready).</summary>
    private static void Run(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within 120 s.");
        }
        Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode}: {output.Result}{errors.Result}");
    }

    /// <summary>The ./lgsp command that kills, stops or starts the outage tests' node, which ./lgsp test started.</summary>
    private static string BrokerCommand(string verb) => $"{Path.Combine(HubLayout.RepositoryRoot, "lgsp")} broker {verb} --node outage";
}
