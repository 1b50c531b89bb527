using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Contracts;
using MassTransit;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class DossierFlowTests(HubFixture hub)
{
    [Fact]
    public async Task Birth_dossier_completes_across_three_agencies()
    {
        var mother = hub.Mother(0);

        var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(mother, childName: "Trần Gia Bảo"));
        var dossier = await hub.WaitForStateAsync(statusUrl, "Completed");

        Assert.True(dossier.GetProperty("onTime").GetBoolean());
        Assert.All(dossier.GetProperty("steps").EnumerateArray(), step => Assert.Equal("Completed", step.State()));
        var registration = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/civil-status/registrations/{dossier.GetProperty("registrationNumber").GetString()}");
        var childId = PersonalId.Parse(registration.GetProperty("subjectPersonalId").GetString()!, null);
        Assert.Equal("049", childId.ProvinceCode);
        Assert.Equal(Sex.Male, childId.Sex);
        Assert.Equal(DateTime.UtcNow.AddDays(-10).Year, childId.BirthYear);
        var child = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/population/citizens/{childId}");
        Assert.Equal("Trần Gia Bảo", child.GetProperty("fullName").GetString());
        Assert.StartsWith("Thôn 4, " + mother.Commune.Name, child.GetProperty("permanentAddress").GetString(), StringComparison.Ordinal);
        var card = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/health-insurance/cards/{childId}");
        Assert.Equal("TE", card.GetProperty("beneficiaryGroup").GetString());
        Assert.True(card.GetProperty("validToday").GetBoolean());
        Assert.Contains(card.GetProperty("cardNumber").GetString()!, dossier.Step("health-insurance-card").GetProperty("result").GetString(), StringComparison.Ordinal);
        // The same values, machine-readable: a client reads them without parsing the sentences.
        Assert.Equal(dossier.GetProperty("registrationNumber").GetString(), dossier.Step("birth-registration").Output("registrationNumber").GetString());
        Assert.Equal(childId.Value, dossier.Step("personal-id-and-residence").Output("personalId").GetString());
        Assert.True(dossier.Step("health-insurance-card").Output("cardIssued").GetBoolean());
        Assert.Equal(card.GetProperty("cardNumber").GetString(), dossier.Step("health-insurance-card").Output("cardNumber").GetString());
        Assert.Equal(JsonValueKind.Null, dossier.Step("parents-verification").GetProperty("outputs").ValueKind);
    }

    [Fact]
    public async Task Death_dossier_ends_residence_and_card_decides_the_allowance_and_flags_parcels()
    {
        var deceased = hub.Citizens(Pool.Dossiers).Where(c => c is { DateOfDeath: null, Card.BeneficiaryGroup: "HT" } && c.Parcels.Count > 0).Skip(1).First();

        var statusUrl = await hub.SubmitAsync("death", new { deceasedPersonalId = deceased.PersonalId.Value, dateOfDeath = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2), placeOfDeath = "Tại nhà" });
        var dossier = await hub.WaitForStateAsync(statusUrl, "Completed");

        var citizen = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/population/citizens/{deceased.PersonalId}");
        Assert.False(citizen.GetProperty("alive").GetBoolean());
        Assert.Equal(JsonValueKind.Null, citizen.GetProperty("permanentAddress").ValueKind);
        var card = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/health-insurance/cards/{deceased.PersonalId}");
        Assert.False(card.GetProperty("validToday").GetBoolean());
        Assert.StartsWith("Granted", dossier.Step("funeral-allowance").GetProperty("result").GetString(), StringComparison.Ordinal);
        var parcels = await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/api/land/owners/{deceased.PersonalId}/parcels");
        Assert.All(parcels!, p => Assert.True(p.GetProperty("awaitingInheritance").GetBoolean()));
        Assert.Equal($"{deceased.Parcels.Count} parcel(s) flagged for inheritance.", dossier.Step("inheritance-flag").GetProperty("result").GetString());
        Assert.Equal(deceased.Parcels.Count, dossier.Step("inheritance-flag").Output("parcelsFlagged").GetInt32());
        var allowance = dossier.Step("funeral-allowance");
        Assert.True(allowance.Output("allowanceGranted").GetBoolean());
        Assert.True(allowance.Output("allowanceAmountVnd").GetInt64() > 0);
        Assert.Equal(card.GetProperty("cardNumber").GetString(), allowance.Output("terminatedCardNumber").GetString());
        Assert.Equal(dossier.GetProperty("registrationNumber").GetString(), dossier.Step("death-registration").Output("registrationNumber").GetString());
    }

    [Fact]
    public async Task A_birth_dossier_naming_an_unknown_mother_is_rejected_with_its_reason()
    {
        var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(5), motherId: "049199999999"));

        var dossier = await hub.WaitForStateAsync(statusUrl, "Rejected");

        Assert.Equal("The mother's personal ID is not in the population register.", dossier.GetProperty("reason").GetString());
        Assert.Equal("Rejected", dossier.Step("parents-verification").State());
        Assert.Equal("Pending", dossier.Step("birth-registration").State());
        Assert.Equal(JsonValueKind.Null, dossier.GetProperty("registrationNumber").ValueKind);
    }

    [Fact]
    public async Task A_birth_dossier_whose_only_parent_is_deceased_is_rejected()
    {
        var deceased = hub.Province.Citizens().First(c => c.DateOfDeath is not null);

        var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(deceased, motherId: deceased.PersonalId.Value));
        var dossier = await hub.WaitForStateAsync(statusUrl, "Rejected");

        Assert.Equal("No declared parent is alive in the population register.", dossier.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_birth_dossier_with_a_residence_where_no_parent_lives_is_rejected()
    {
        var mother = hub.Mother(6);
        var elsewhere = hub.Citizens(Pool.ReadOnly).First(c => c.Commune.Code != mother.Commune.Code).Commune.Code;

        var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(mother, communeCode: elsewhere));
        var dossier = await hub.WaitForStateAsync(statusUrl, "Rejected");

        Assert.Contains("no living parent has permanent residence", dossier.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_death_already_recorded_is_rejected_and_an_unknown_person_too()
    {
        var dead = hub.Province.Citizens().First(c => c.DateOfDeath is not null);

        var again = await hub.SubmitAsync("death", new { deceasedPersonalId = dead.PersonalId.Value, dateOfDeath = "2025-01-01", placeOfDeath = "Tại nhà" });
        var unknown = await hub.SubmitAsync("death", new { deceasedPersonalId = "049099999999", dateOfDeath = "2025-01-01", placeOfDeath = "Tại nhà" });

        Assert.Equal("This person's death is already recorded.", (await hub.WaitForStateAsync(again, "Rejected")).GetProperty("reason").GetString());
        Assert.Equal("The deceased's personal ID is not in the population register.", (await hub.WaitForStateAsync(unknown, "Rejected")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_invalid_declaration_gets_field_errors_and_nothing_is_written()
    {
        var before = await hub.Gateway.GetStringAsync("/api/civil-status/dossiers/statistics");

        var response = await hub.Gateway.PostAsJsonAsync("/api/civil-status/birth-dossiers", new
        {
            child = new { fullName = "Khang", dateOfBirth = "2999-01-01" },
            motherPersonalId = "12345",
            fatherPersonalId = "12345",
            residence = new { communeCode = "99999" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        string[] fields = ["child.fullName", "child.sex", "child.dateOfBirth", "child.placeOfBirth", "motherPersonalId", "fatherPersonalId", "residence.communeCode", "residence.street"];
        Assert.All(fields, field => Assert.True(errors.TryGetProperty(field, out _), field));
        Assert.Equal(before, await hub.Gateway.GetStringAsync("/api/civil-status/dossiers/statistics"));
    }

    [Fact]
    public async Task Duplicated_events_issue_no_second_personal_id_and_no_second_card()
    {
        var mother = hub.Mother(4);
        var dossier = await hub.WaitForStateAsync(await hub.SubmitAsync("birth", Dossiers.BirthRequest(mother, childName: "Phạm Minh Quân")), "Completed");
        var dossierId = dossier.GetProperty("id").GetGuid();
        var number = dossier.GetProperty("registrationNumber").GetString()!;
        var childId = PersonalId.Parse((await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/civil-status/registrations/{number}"))
            .GetProperty("subjectPersonalId").GetString()!, null);
        var born = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10);

        var duplicates = await PublishAsync(
            ("LgspHub.Population", new BirthRegistered(dossierId, number, "Phạm Minh Quân", Sex.Male, born, mother.PersonalId, null, new ResidenceAddress(mother.Commune.Code, "Thôn 4"))),
            ("LgspHub.HealthInsurance", new ChildPersonalIdIssued(dossierId, childId, "Phạm Minh Quân", born, "Thôn 4", mother.Commune.Code)),
            ("LgspHub.CivilStatus", new BirthParentsVerified(dossierId)));

        await Eventually.True(() => Task.FromResult(duplicates.All(d => hub.Traces.Spans.Any(s =>
            s.Service == d.Service && s.Kind == 5 && s.Attributes.Values.Contains(d.MessageId.ToString())))),
            Dossiers.Wait, "each duplicate to be consumed by its agency");
        Assert.Equal(1L, await hub.CountAsync("population", "SELECT COUNT(*) FROM Citizens WHERE BirthDossierId = $id", dossierId));
        Assert.Equal(1L, await hub.CountAsync("health-insurance", "SELECT COUNT(*) FROM Cards WHERE PersonalId = $id", childId.Value));
        Assert.Equal(1L, await hub.CountAsync("civil-status", "SELECT COUNT(*) FROM Registrations WHERE DossierId = $id", dossierId));
        // Consumed quietly, not faulted into an error queue, and the dossier is as it was.
        Assert.Equal(0, await ErrorQueueCountAsync("population", "population-birth-registered"));
        Assert.Equal(0, await ErrorQueueCountAsync("health-insurance", "health-insurance-child-personal-id-issued"));
        Assert.Equal(0, await ErrorQueueCountAsync("civil-status", "civil-status-birth-parents-verified"));
        Assert.Equal(dossier.GetRawText(), (await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/civil-status/dossiers/{dossierId}")).GetRawText());
    }

    [Fact]
    public async Task A_retried_submission_with_the_same_idempotency_key_makes_one_dossier()
    {
        var request = Dossiers.BirthRequest(hub.Mother(8), childName: "Bùi Gia Huy");
        var key = Guid.NewGuid().ToString();

        var first = await SubmitWithKeyAsync(request, key);
        var second = await SubmitWithKeyAsync(request, key);

        Assert.Equal(first, second);
        await hub.WaitForStateAsync(first, "Completed");
    }

    [Fact]
    public async Task An_idempotency_key_is_the_consumers_own_and_reused_for_another_declaration_is_a_422()
    {
        var key = Guid.NewGuid().ToString();
        var mother = hub.Mother(13);
        using var otherConsumer = await hub.AllAgencies.ClientAsync(hub.GatewayUrl);

        var first = await SubmitWithKeyAsync(Dossiers.BirthRequest(mother, childName: "Đỗ Minh Quân"), key);
        var others = await SubmitWithKeyAsync(Dossiers.BirthRequest(mother, childName: "Đỗ Minh Khôi"), key, otherConsumer);
        using var reused = await SendWithKeyAsync(hub.Gateway, Dossiers.BirthRequest(mother, childName: "Đỗ Minh Khôi"), key);

        Assert.NotEqual(first, others);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        await hub.WaitForStateAsync(first, "Completed");
        await hub.WaitForStateAsync(others, "Completed");
    }

    [Fact]
    public async Task A_second_dossier_for_the_same_death_is_rejected_and_pays_nothing_twice()
    {
        var deceased = hub.Citizens(Pool.Dossiers).First(c => c is { DateOfDeath: null, Card.BeneficiaryGroup: "HT", Parcels.Count: 0 });
        var declaration = new { deceasedPersonalId = deceased.PersonalId.Value, dateOfDeath = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1), placeOfDeath = "Tại nhà" };

        var first = await hub.SubmitAsync("death", declaration);
        var second = await hub.SubmitAsync("death", declaration);
        var outcomes = new[] { await hub.WaitForAsync(first, Ended, "the first to end"), await hub.WaitForAsync(second, Ended, "the second to end") };

        Assert.Single(outcomes, d => d.State() == "Completed");
        Assert.Contains("already", Assert.Single(outcomes, d => d.State() == "Rejected").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1L, await hub.CountAsync("health-insurance", "SELECT COUNT(*) FROM FuneralAllowances WHERE PersonalId = $id", deceased.PersonalId.Value));
        Assert.Equal(1L, await hub.CountAsync("civil-status", "SELECT COUNT(*) FROM Registrations WHERE Kind = 1 AND SubjectPersonalId = $id", deceased.PersonalId.Value));

        static bool Ended(JsonElement d) => d.State() is "Completed" or "Rejected";
    }

    [Fact]
    public async Task A_poisoned_event_lands_in_the_error_queue_and_its_replay_completes_the_dossier()
    {
        using var admin = hub.Hosts["health-insurance"].AdminClient();
        (await admin.PutAsJsonAsync("/admin/faults", new { consumerFailureRate = 1.0 })).EnsureSuccessStatusCode();
        string statusUrl;
        try
        {
            statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(2), childName: "Đặng Bảo An"));
            var failed = await hub.WaitForStateAsync(statusUrl, "Failed");
            Assert.Equal("Failed", failed.Step("health-insurance-card").State());
            Assert.Contains("error queue", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            (await admin.PutAsJsonAsync("/admin/faults", new { consumerFailureRate = 0.0 })).EnsureSuccessStatusCode();
        }

        var queues = await admin.GetFromJsonAsync<JsonElement[]>("/admin/error-queues");
        var poisoned = queues!.Single(q => q.GetProperty("queue").GetString() == "health-insurance-child-personal-id-issued");
        Assert.True(poisoned.GetProperty("messages").GetInt32() >= 1);
        var replay = await admin.PostAsync("/admin/error-queues/health-insurance-child-personal-id-issued/replay", null);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayed").GetInt32() >= 1);

        var completed = await hub.WaitForStateAsync(statusUrl, "Completed");
        Assert.StartsWith("Free card TE1", completed.Step("health-insurance-card").GetProperty("result").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statistics_count_a_completed_dossier_as_on_time()
    {
        var before = await BirthStatisticsAsync();

        await hub.WaitForStateAsync(await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(7), childName: "Hồ Thị Mai")), "Completed");
        var after = await BirthStatisticsAsync();

        Assert.True(after.GetProperty("completed").GetInt32() > before.GetProperty("completed").GetInt32());
        Assert.True(after.GetProperty("completedOnTime").GetInt32() > before.GetProperty("completedOnTime").GetInt32());
        Assert.InRange(after.GetProperty("onTimeShare").GetDouble(), 0.0, 1.0);
    }

    private async Task<JsonElement> BirthStatisticsAsync()
    {
        var statistics = await hub.Gateway.GetFromJsonAsync<JsonElement[]>("/api/civil-status/dossiers/statistics");
        return statistics!.SingleOrDefault(s => s.GetProperty("kind").GetString() == "Birth") is { ValueKind: JsonValueKind.Object } births
            ? births
            : JsonDocument.Parse("""{"completed":0,"completedOnTime":0}""").RootElement;
    }

    private async Task<string> SubmitWithKeyAsync(object request, string key, HttpClient? consumer = null)
    {
        using var response = await SendWithKeyAsync(consumer ?? hub.Gateway, request, key);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
    }

    private static async Task<HttpResponseMessage> SendWithKeyAsync(HttpClient consumer, object request, string key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/civil-status/birth-dossiers") { Content = JsonContent.Create(request) };
        message.Headers.Add("Idempotency-Key", key);
        return await consumer.SendAsync(message);
    }

    private async Task<int> ErrorQueueCountAsync(string agency, string queue)
    {
        using var admin = hub.Hosts[agency].AdminClient();
        var queues = await admin.GetFromJsonAsync<JsonElement[]>("/admin/error-queues");
        return queues!.Single(q => q.GetProperty("queue").GetString() == queue).GetProperty("messages").GetInt32();
    }

    /// <summary>Publishes each message anew, as a redelivery would bring it, and says which service must consume it.</summary>
    private async Task<(string Service, Guid MessageId)[]> PublishAsync(params (string Service, object Message)[] messages)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(hub.Broker.Url));
        await bus.StartAsync();
        try
        {
            var sent = new List<(string, Guid)>();
            foreach (var (service, message) in messages)
            {
                var id = NewId.NextGuid();
                await bus.Publish(message, message.GetType(), context => context.MessageId = id);
                sent.Add((service, id));
            }
            return [.. sent];
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
