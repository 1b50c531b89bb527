using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Seeding;

namespace LgspHub.EndToEnd.Tests;

/// <summary>Submits dossiers through the gateway and follows them, as a consumer system would.</summary>
public static class Dossiers
{
    /// <summary>How long a test waits for a dossier to reach a state (not the dossier's own deadline).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    /// <summary>Living mothers of child-bearing age, each test taking its own so tests do not disturb each other.</summary>
    public static SyntheticCitizen Mother(this HubFixture hub, int which) =>
        hub.Citizens(Pool.Dossiers)
            .Where(c => c is { Sex: Sex.Female, DateOfDeath: null } && c.DateOfBirth.Year is >= 1985 and <= 2003)
            .Skip(which).First();

    public static object BirthRequest(SyntheticCitizen mother, string childName = "Nguyễn Minh Khang", string? communeCode = null, string? motherId = null, string? fatherId = null) => new
    {
        child = new { fullName = childName, sex = "Male", dateOfBirth = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10), placeOfBirth = "Bệnh viện Đa khoa tỉnh Quảng Nam" },
        motherPersonalId = motherId ?? mother.PersonalId.Value,
        fatherPersonalId = fatherId,
        residence = new { communeCode = communeCode ?? mother.Commune.Code, street = "Thôn 4" },
    };

    public static async Task<string> SubmitAsync(this HubFixture hub, string kind, object request)
    {
        var response = await hub.Gateway.PostAsJsonAsync($"/api/civil-status/{kind}-dossiers", request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(response.Headers.Location?.ToString(), accepted.GetProperty("statusUrl").GetString());
        return accepted.GetProperty("statusUrl").GetString()!;
    }

    public static Task<JsonElement> WaitForStateAsync(this HubFixture hub, string statusUrl, string state) =>
        hub.WaitForAsync(statusUrl, d => d.GetProperty("state").GetString() == state, $"the dossier to be {state}");

    public static async Task<JsonElement> WaitForAsync(this HubFixture hub, string statusUrl, Func<JsonElement, bool> condition, string what)
    {
        var last = "";
        var dossier = await Eventually.Get(async () =>
        {
            last = await hub.Gateway.GetStringAsync(statusUrl);
            return condition(JsonDocument.Parse(last).RootElement) ? last : null;
        }, Wait, () => $"{what}; last seen: {last}");
        return JsonDocument.Parse(dossier).RootElement;
    }

    public static JsonElement Step(this JsonElement dossier, string name) =>
        dossier.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    /// <summary>One of a step's machine-readable outputs.</summary>
    public static JsonElement Output(this JsonElement step, string name) => step.GetProperty("outputs").GetProperty(name);

    public static string? State(this JsonElement element) => element.GetProperty("state").GetString();
}
