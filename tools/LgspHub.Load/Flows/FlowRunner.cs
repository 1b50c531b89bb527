using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Load.Running;
using LgspHub.Seeding;
using static LgspHub.Load.Flows.ProvinceData;

namespace LgspHub.Load.Flows;

/// <summary>
/// Turns one arrival into the requests a consumer system would send for it. Single operations are one
/// request; a land transfer reads the parcel first; a dossier is submitted and then followed until it ends.
/// </summary>
public sealed class FlowRunner(HubClient hub, ProvinceData data, Measurements measurements, Func<TimeSpan> elapsed)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(300);
    // Back off as a well-behaved consumer does: a hub that falls behind is not also buried under status reads.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestPollInterval = TimeSpan.FromSeconds(5);

    /// <param name="intended">When the arrival was due: the first request's latency counts from here.</param>
    /// <param name="stop">Cancelled when the run is aborted.</param>
    /// <param name="drained">Cancelled when the run's drain time is over: dossiers still open are unfinished.</param>
    public Task RunAsync(FlowKind flow, string consumer, TimeSpan intended, CancellationToken stop, CancellationToken drained)
    {
        Task<Answer> Get(string operation, string path) => hub.SendAsync(consumer, operation, HttpMethod.Get, path, null, intended, stop);
        Task<Answer> Post(string operation, string path, object body) => hub.SendAsync(consumer, operation, HttpMethod.Post, path, body, intended, stop);

        switch (flow)
        {
            case FlowKind.VerifyIdentity:
                return Post(Operations.VerifyIdentity, "/api/population/identity-verifications", Verification(Pick(data.Citizens)));
            case FlowKind.ReadCitizen:
                return Get(Operations.ReadCitizen, $"/api/population/citizens/{Pick(data.Citizens).PersonalId}");
            case FlowKind.CheckCard:
                return Get(Operations.CheckCard, $"/api/health-insurance/cards/{Pick(data.CardHolders).PersonalId}");
            case FlowKind.CheckIn:
                var patient = Pick(data.CardHolders);
                return Post(Operations.CheckIn, "/api/health-insurance/check-ins",
                    new { personalId = patient.PersonalId.Value, facility = patient.Card!.PrimaryCareFacility });
            case FlowKind.ReadParcel:
                var (_, parcel) = Pick(data.Parcels);
                return Get(Operations.ReadParcel, ParcelPath(parcel));
            case FlowKind.ParcelsOfOwner:
                return Get(Operations.ParcelsOfOwner, $"/api/land/owners/{Pick(data.Owners).PersonalId}/parcels");
            case FlowKind.ReadRegistration:
                return Get(Operations.ReadRegistration, $"/api/civil-status/registrations/{Pick(data.Citizens).BirthRegistrationNumber}");
            case FlowKind.RegistrationsOfPerson:
                return Get(Operations.RegistrationsOfPerson, $"/api/civil-status/people/{Pick(data.Citizens).PersonalId}/registrations");
            case FlowKind.LandTransfer:
                return TransferAsync(consumer, intended, stop);
            case FlowKind.BirthDossier:
                return BirthAsync(consumer, intended, stop, drained);
            case FlowKind.DeathDossier:
                return DeathAsync(consumer, intended, stop, drained);
            default:
                throw new ArgumentOutOfRangeException(nameof(flow), flow, null);
        }
    }

    /// <summary>A land officer opens the parcel, then records its sale by whoever owns it now to another adult.</summary>
    private async Task TransferAsync(string consumer, TimeSpan intended, CancellationToken stop)
    {
        var (_, parcel) = Pick(data.Parcels);
        var read = await hub.SendAsync(consumer, Operations.ReadParcel, HttpMethod.Get, ParcelPath(parcel), null, intended, stop, readBody: true);
        if (read.Body is not { } body || !body.TryGetProperty("ownerPersonalId", out var owner) || data.Find(owner.GetString() ?? "") is not { } seller)
            return;
        var buyer = Pick(data.Adults);
        if (buyer.PersonalId == seller.PersonalId)
            return;
        await hub.SendAsync(consumer, Operations.RecordTransfer, HttpMethod.Post, "/api/land/transfers", new
        {
            communeCode = parcel.CommuneCode,
            mapSheet = parcel.MapSheet,
            parcelNumber = parcel.ParcelNumber,
            from = Party(seller),
            to = Party(buyer),
        }, elapsed(), stop);
    }

    private Task BirthAsync(string consumer, TimeSpan intended, CancellationToken stop, CancellationToken drained)
    {
        var mother = Pick(data.Mothers);
        var sex = Random.Shared.Next(2) == 0 ? "Male" : "Female";
        var family = mother.FullName.Split(' ')[0];
        var given = Pick(sex == "Male" ? BoysNames : GirlsNames);
        return DossierAsync("birth", consumer, intended, Operations.SubmitBirthDossier, "/api/civil-status/birth-dossiers", new
        {
            child = new
            {
                fullName = $"{family} {given}",
                sex,
                dateOfBirth = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-2)),
                placeOfBirth = SyntheticProvince.PrimaryCareFacility(mother.Commune),
            },
            motherPersonalId = mother.PersonalId.Value,
            residence = new { communeCode = mother.Commune.Code, street = mother.Street },
        }, stop, drained);
    }

    /// <summary>A commune officer checks the person is alive in the register before declaring a death (a death is declared once).</summary>
    private async Task DeathAsync(string consumer, TimeSpan intended, CancellationToken stop, CancellationToken drained)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var subject = Pick(data.Elderly);
            var check = await hub.SendAsync(consumer, Operations.VerifyIdentity, HttpMethod.Post, "/api/population/identity-verifications",
                Verification(subject), attempt == 0 ? intended : elapsed(), stop, readBody: true);
            if (check.Outcome != Outcome.Succeeded)
            {
                measurements.Dossier(new DossierResult("death", DossierEnd.NotAccepted, false, null));
                return;
            }
            if (check.Body is { } body && body.TryGetProperty("alive", out var alive) && alive.ValueKind == JsonValueKind.False)
                continue;   // died in an earlier run: pick someone else
            await DossierAsync("death", consumer, elapsed(), Operations.SubmitDeathDossier, "/api/civil-status/death-dossiers", new
            {
                deceasedPersonalId = subject.PersonalId.Value,
                dateOfDeath = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)),
                placeOfDeath = "Tại nhà",
            }, stop, drained);
            return;
        }
        measurements.Dossier(new DossierResult("death", DossierEnd.Rejected, false, null));
    }

    private async Task DossierAsync(
        string kind, string consumer, TimeSpan intended, string operation, string path, object declaration, CancellationToken stop, CancellationToken drained)
    {
        var submitted = await hub.SendAsync(consumer, operation, HttpMethod.Post, path, declaration, intended, stop,
            readBody: true, idempotencyKey: Guid.NewGuid().ToString());
        if (submitted.Status != 202 || submitted.Body?.GetProperty("statusUrl").GetString() is not { } statusUrl)
        {
            measurements.Dossier(new DossierResult(kind, DossierEnd.NotAccepted, false, null));
            return;
        }
        try
        {
            await Task.Delay(FirstPoll, drained);
            for (var interval = PollInterval; ; interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, LongestPollInterval.Ticks)))
            {
                var status = await hub.SendAsync(consumer, Operations.ReadDossier, HttpMethod.Get, statusUrl, null, elapsed(), stop, readBody: true);
                if (status.Body is { } dossier && dossier.TryGetProperty("state", out var state) && state.GetString() != "InProgress")
                {
                    measurements.Dossier(Ended(kind, state.GetString(), dossier));
                    return;
                }
                await Task.Delay(interval, drained);
            }
        }
        catch (OperationCanceledException) when (drained.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            measurements.Dossier(new DossierResult(kind, DossierEnd.Unfinished, false, null));
        }
    }

    private static DossierResult Ended(string kind, string? state, JsonElement dossier)
    {
        var end = state switch { "Completed" => DossierEnd.Completed, "Rejected" => DossierEnd.Rejected, _ => DossierEnd.Failed };
        var onTime = dossier.TryGetProperty("onTime", out var value) && value.ValueKind == JsonValueKind.True;
        double? seconds = dossier.TryGetProperty("endedAt", out var ended) && ended.ValueKind == JsonValueKind.String
            ? (ended.GetDateTimeOffset() - dossier.GetProperty("submittedAt").GetDateTimeOffset()).TotalSeconds
            : null;
        return new DossierResult(kind, end, end == DossierEnd.Completed && onTime, seconds);
    }

    private static object Verification(SyntheticCitizen c) => new { personalId = c.PersonalId.Value, fullName = c.FullName, dateOfBirth = c.DateOfBirth };

    private static object Party(SyntheticCitizen c) => Verification(c);

    private static string ParcelPath(SyntheticParcel p) => $"/api/land/parcels/{p.CommuneCode}/{p.MapSheet}/{p.ParcelNumber}";

    private static readonly string[] BoysNames = ["Minh Khang", "Gia Huy", "Bảo Long", "Đức Anh", "Quang Vinh", "Hoàng Nam"];
    private static readonly string[] GirlsNames = ["Bảo Ngọc", "Khánh An", "Minh Thư", "Gia Hân", "Thảo Vy", "Ngọc Diệp"];
}
