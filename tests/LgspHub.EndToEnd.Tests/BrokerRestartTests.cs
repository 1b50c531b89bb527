using Microsoft.Data.Sqlite;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The broker goes away under load and comes back: every dossier completes, none twice.</summary>
[Collection(HubTests.Name)]
public sealed class BrokerRestartTests(HubFixture hub)
{
    [Fact]
    public async Task Dossiers_submitted_while_the_broker_stops_and_starts_all_complete_exactly_once()
    {
        var stop = BrokerCommand("LGSP_BROKER_STOP");
        var start = BrokerCommand("LGSP_BROKER_START");
        var childrenBefore = await CountAsync("population", "SELECT COUNT(*) FROM Citizens WHERE BirthDossierId IS NOT NULL");
        var registrationsBefore = await CountAsync("civil-status", "SELECT COUNT(*) FROM Registrations WHERE DossierId IS NOT NULL");
        // Births and deaths for 20 s; the broker is stopped 4 s in and started again from 10 s.
        var scenario = ScenarioFile.Parse($$"""
            {
              "name": "broker-restart",
              "province": { "seed": {{hub.Seed.Value}}, "citizens": "{{hub.LoadRange.From}}..{{hub.LoadRange.To}}" },
              "consumers": { "commune": { "clientId": "{{hub.AllAgencies.Id}}", "secret": "{{hub.AllAgencies.Secret}}" } },
              "stages": [ { "duration": "20s", "rate": 2 } ],
              "mix": [ { "flow": "birth-dossier", "consumer": "commune", "weight": 3 }, { "flow": "death-dossier", "consumer": "commune", "weight": 1 } ],
              "events": [ { "at": "4s", "command": "{{stop}}" }, { "at": "10s", "command": "{{start}}" } ],
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
        Assert.Equal(births, await CountAsync("population", "SELECT COUNT(*) FROM Citizens WHERE BirthDossierId IS NOT NULL") - childrenBefore);
        Assert.Equal(births + deaths, await CountAsync("civil-status", "SELECT COUNT(*) FROM Registrations WHERE DossierId IS NOT NULL") - registrationsBefore);
        Assert.Equal(0, await CountAsync("population", "SELECT COUNT(*) FROM (SELECT BirthDossierId FROM Citizens WHERE BirthDossierId IS NOT NULL GROUP BY BirthDossierId HAVING COUNT(*) > 1)"));
        Assert.Equal(0, await CountAsync("civil-status", "SELECT COUNT(*) FROM (SELECT DossierId FROM Registrations WHERE DossierId IS NOT NULL GROUP BY DossierId HAVING COUNT(*) > 1)"));
    }

    private static string BrokerCommand(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } command
            ? command
            : throw new InvalidOperationException($"{variable} is not set: ./lgsp test sets it, so this test can stop and start the broker it started.");

    private async Task<long> CountAsync(string agency, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={hub.DatabasePath(agency)};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
