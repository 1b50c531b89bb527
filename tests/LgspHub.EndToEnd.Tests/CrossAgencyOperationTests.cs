using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Seeding;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class CrossAgencyOperationTests(HubFixture hub)
{
    [Fact]
    public async Task A_land_transfer_between_verified_parties_changes_the_owner()
    {
        var (seller, parcel, buyer) = Parties(0);

        var response = await hub.Gateway.PostAsJsonAsync("/api/land/transfers", Transfer(parcel, seller, buyer));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var read = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");
        Assert.Equal(buyer.PersonalId.Value, read.GetProperty("ownerPersonalId").GetString());
        Assert.Equal(buyer.FullName, read.GetProperty("ownerName").GetString());
    }

    [Fact]
    public async Task A_land_transfer_whose_buyer_does_not_match_the_register_is_refused_and_nothing_changes()
    {
        var (seller, parcel, buyer) = Parties(1);
        var impostor = buyer with { FullName = buyer.FullName + " Giả" };

        var response = await hub.Gateway.PostAsJsonAsync("/api/land/transfers", Transfer(parcel, seller, impostor));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("The buyer's name and date of birth do not match the population register.",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var read = await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");
        Assert.Equal(seller.PersonalId.Value, read.GetProperty("ownerPersonalId").GetString());
    }

    [Fact]
    public async Task A_land_transfer_by_someone_who_is_not_the_owner_is_refused()
    {
        var (_, parcel, buyer) = Parties(2);
        var (stranger, _, _) = Parties(3);

        var response = await hub.Gateway.PostAsJsonAsync("/api/land/transfers", Transfer(parcel, stranger, buyer));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("The seller is not the parcel's recorded owner.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_malformed_land_transfer_gets_field_errors()
    {
        var response = await hub.Gateway.PostAsJsonAsync("/api/land/transfers", new { communeCode = "20305", from = new { personalId = "1" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("from.personalId", out _));
        Assert.True(errors.TryGetProperty("to.fullName", out _));
        Assert.True(errors.TryGetProperty("mapSheet", out _));
    }

    [Fact]
    public async Task A_hospital_check_in_by_personal_id_is_covered_by_a_valid_card()
    {
        var patient = hub.Citizens(Pool.ReadOnly).First(c => c.Card is { BeneficiaryGroup: not "TE" });

        var covered = await CheckIn(patient.PersonalId.Value, patient.Card!.PrimaryCareFacility);
        var unknown = await CheckIn("049099999999", "Trung tâm Y tế thành phố Tam Kỳ");

        Assert.True(covered.GetProperty("covered").GetBoolean());
        Assert.Equal(patient.Card.CardNumber, covered.GetProperty("cardNumber").GetString());
        Assert.False(unknown.GetProperty("covered").GetBoolean());
        Assert.Equal("No health-insurance card is linked to this personal ID.", unknown.GetProperty("reason").GetString());
    }

    private async Task<JsonElement> CheckIn(string personalId, string facility)
    {
        var response = await hub.Gateway.PostAsJsonAsync("/api/health-insurance/check-ins", new { personalId, facility });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A living owner of a parcel and a living adult buyer; each test takes its own pair.</summary>
    private (SyntheticCitizen Seller, SyntheticParcel Parcel, SyntheticCitizen Buyer) Parties(int which)
    {
        var adults = hub.Citizens(Pool.Transfers).Where(c => c.DateOfDeath is null && c.DateOfBirth.Year < 1990).ToList();
        var sellers = adults.Where(c => c.Parcels.Count > 0).ToList();
        var seller = sellers[which];
        var buyer = adults.Where(c => c.Parcels.Count == 0).Skip(which).First();
        return (seller, seller.Parcels[0], buyer);
    }

    private static object Transfer(SyntheticParcel parcel, SyntheticCitizen from, SyntheticCitizen to) => new
    {
        communeCode = parcel.CommuneCode,
        mapSheet = parcel.MapSheet,
        parcelNumber = parcel.ParcelNumber,
        from = new { personalId = from.PersonalId.Value, fullName = from.FullName, dateOfBirth = from.DateOfBirth },
        to = new { personalId = to.PersonalId.Value, fullName = to.FullName, dateOfBirth = to.DateOfBirth },
    };
}
