using System.Net.Http.Json;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class PersonalDataTests(HubFixture hub)
{
    [Fact]
    public async Task No_personal_id_name_or_date_of_birth_reaches_logs_traces_or_metrics()
    {
        var people = hub.Citizens(Pool.ReadOnly).Where(c => c.DateOfDeath is null && c.Card is not null && c.Parcels.Count > 0).Skip(2).Take(3).ToList();
        var mother = hub.Mother(9);
        foreach (var person in people)
        {
            (await hub.Gateway.GetAsync($"/api/population/citizens/{person.PersonalId}")).EnsureSuccessStatusCode();
            (await hub.Gateway.PostAsJsonAsync("/api/population/identity-verifications",
                new { personalId = person.PersonalId.Value, fullName = person.FullName, dateOfBirth = person.DateOfBirth })).EnsureSuccessStatusCode();
            (await hub.Gateway.GetAsync($"/api/health-insurance/cards/{person.PersonalId}")).EnsureSuccessStatusCode();
            (await hub.Gateway.GetAsync($"/api/land/owners/{person.PersonalId}/parcels")).EnsureSuccessStatusCode();
            (await hub.Gateway.GetAsync($"/api/civil-status/people/{person.PersonalId}/registrations")).EnsureSuccessStatusCode();
            await hub.Gateway.GetAsync($"/lgsp/audit?personalId={person.PersonalId}");
        }
        var consumedBefore = ConsumedByHealthInsurance();
        await hub.WaitForStateAsync(await hub.SubmitAsync("birth", Dossiers.BirthRequest(mother, childName: "Tạ Quang Vinh")), "Completed");

        // Wait until the dossier's last hop is exported: what came before it is in by then.
        await Eventually.True(() => Task.FromResult(ConsumedByHealthInsurance() > consumedBefore), TimeSpan.FromSeconds(30), "the dossier's spans");
        var exported = hub.Traces.AllPayloadText;
        var consoles = string.Join('\n', hub.Hosts.Values.Select(h => h.AllOutput));
        // The search must have something to search: every host's console, as the AppHost keeps it.
        Assert.All(hub.Hosts.Values, h => Assert.Contains("Now listening on", h.AllOutput, StringComparison.Ordinal));

        var secrets = people.Concat([mother]).SelectMany(p => new[] { p.PersonalId.Value, p.FullName, p.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) })
            .Append("Tạ Quang Vinh")
            .ToList();
        // The URLs that carried the IDs were exported, redacted: the search looks where they would be.
        Assert.Contains("/api/population/citizens/{redacted}", exported, StringComparison.Ordinal);
        Assert.All(secrets, secret =>
        {
            Assert.False(exported.Contains(secret, StringComparison.Ordinal), $"exported telemetry contains \"{secret}\"");
            Assert.False(consoles.Contains(secret, StringComparison.Ordinal), $"a console log contains \"{secret}\"");
        });
    }

    private int ConsumedByHealthInsurance() => hub.Traces.Spans.Count(s => s is { Service: "LgspHub.HealthInsurance", Kind: 5 });
}
