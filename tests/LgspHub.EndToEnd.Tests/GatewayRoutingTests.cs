using LgspHub.Contracts;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class GatewayRoutingTests(HubFixture hub)
{
    [Fact]
    public async Task Population_reads_a_citizen_and_verifies_an_identity_through_the_gateway()
    {
        var citizen = hub.Citizens(Pool.ReadOnly).First(c => c.DateOfDeath is null);

        var record = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/population/citizens/{citizen.PersonalId}");
        var match = await PostJson("/api/population/identity-verifications", new { personalId = citizen.PersonalId.Value, fullName = citizen.FullName, dateOfBirth = citizen.DateOfBirth });
        var mismatch = await PostJson("/api/population/identity-verifications", new { personalId = citizen.PersonalId.Value, fullName = citizen.FullName, dateOfBirth = citizen.DateOfBirth.AddDays(1) });

        Assert.Equal(citizen.FullName, record.GetProperty("fullName").GetString());
        Assert.Equal(citizen.PermanentAddress, record.GetProperty("permanentAddress").GetString());
        Assert.True((await match.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("matches").GetBoolean());
        var refused = await mismatch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(refused.GetProperty("matches").GetBoolean());
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("alive").ValueKind);
    }

    [Fact]
    public async Task Civil_status_reads_a_birth_registration_through_the_gateway()
    {
        var citizen = hub.Citizens(Pool.ReadOnly).First();

        var registration = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/civil-status/registrations/{citizen.BirthRegistrationNumber}");
        var ofPerson = await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/api/civil-status/people/{citizen.PersonalId}/registrations");

        Assert.Equal("Birth", registration.GetProperty("kind").GetString());
        Assert.Equal(citizen.PersonalId.Value, registration.GetProperty("subjectPersonalId").GetString());
        Assert.Contains(ofPerson!, r => r.GetProperty("number").GetString() == citizen.BirthRegistrationNumber);
    }

    [Fact]
    public async Task Land_reads_a_parcel_and_the_parcels_of_its_owner_through_the_gateway()
    {
        var owner = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0);
        var parcel = owner.Parcels[0];

        var read = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");
        var owned = await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/api/land/owners/{owner.PersonalId}/parcels");

        Assert.Equal(owner.PersonalId.Value, read.GetProperty("ownerPersonalId").GetString());
        Assert.Equal(parcel.CertificateNumber, read.GetProperty("certificateNumber").GetString());
        Assert.Equal(owner.Parcels.Count, owned!.Length);
    }

    [Fact]
    public async Task Health_insurance_checks_a_card_by_personal_id_through_the_gateway()
    {
        var holder = hub.Citizens(Pool.ReadOnly).First(c => c.Card is { BeneficiaryGroup: not "TE" });

        var card = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/health-insurance/cards/{holder.PersonalId}");

        Assert.Equal(holder.Card!.CardNumber, card.GetProperty("cardNumber").GetString());
        Assert.True(card.GetProperty("validToday").GetBoolean());
    }

    [Theory]
    [InlineData("/api/nowhere")]
    [InlineData("/api/population")]
    [InlineData("/api/population/no-such-operation")]
    [InlineData("/")]
    public async Task Unknown_routes_get_a_404_problem(string path)
    {
        var response = await hub.Gateway.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(AgencyNames))]
    public async Task Every_agency_publishes_its_OpenAPI_document_through_the_gateway(string agency)
    {
        var document = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/{agency}/openapi/v1.json");

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Contains(document.GetProperty("paths").EnumerateObject(), path => path.Name.StartsWith($"/api/{agency}/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/population/citizens/12345")]
    [InlineData("/api/population/citizens/04908500012x")]
    [InlineData("/api/health-insurance/cards/0490850001234")]
    [InlineData("/api/land/owners/abc/parcels")]
    [InlineData("/api/civil-status/people/1/registrations")]
    public async Task A_malformed_personal_id_gets_a_400_problem_naming_the_field(string path)
    {
        var response = await hub.Gateway.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("personalId", out _));
    }

    [Theory]
    [InlineData("/api/population/citizens/049099999999")]
    [InlineData("/api/health-insurance/cards/049099999999")]
    [InlineData("/api/civil-status/registrations/KS-00000-1900-000000")]
    [InlineData("/api/land/parcels/00000/1/1")]
    public async Task An_unknown_record_gets_a_404_problem(string path)
    {
        var response = await hub.Gateway.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"personalId": 12, "fullName": "x", "dateOfBirth": "yesterday"}""")]
    [InlineData("")]
    public async Task A_malformed_body_gets_a_400_problem_not_a_500(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await hub.Gateway.PostAsync("/api/population/identity-verifications", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_blank_name_correction_is_refused_and_changes_nothing()
    {
        var citizen = hub.Citizens(Pool.ReadOnly).Skip(5).First();
        var before = await hub.Gateway.GetStringAsync($"/api/population/citizens/{citizen.PersonalId}");

        var blank = await hub.Gateway.PatchAsJsonAsync($"/api/population/citizens/{citizen.PersonalId}", new { fullName = "  " });
        var nowhere = await hub.Gateway.PatchAsJsonAsync($"/api/population/citizens/{citizen.PersonalId}", new { permanentAddress = new { communeCode = "99999", street = "Thôn 1" } });

        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nowhere.StatusCode);
        Assert.True((await nowhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("permanentAddress.communeCode", out _));
        Assert.Equal(before, await hub.Gateway.GetStringAsync($"/api/population/citizens/{citizen.PersonalId}"));
    }

    public static TheoryData<string> AgencyNames() => new(HubAgencies.All);

    private Task<HttpResponseMessage> PostJson(string path, object body) => hub.Gateway.PostAsJsonAsync(path, body);
}
