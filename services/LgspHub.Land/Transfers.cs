using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

/// <summary>A recorded transfer of a land-use right (chuyển nhượng quyền sử dụng đất).</summary>
public sealed class Transfer
{
    public Guid Id { get; init; }
    public required string CommuneCode { get; init; }
    public int MapSheet { get; init; }
    public int ParcelNumber { get; init; }
    public PersonalId FromPersonalId { get; init; }
    public PersonalId ToPersonalId { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
}

public sealed record Party(string? PersonalId, string? FullName, DateOnly? DateOfBirth);

public sealed record TransferRequest(string? CommuneCode, int? MapSheet, int? ParcelNumber, Party? From, Party? To);

public sealed record TransferResponse(Guid TransferId, ParcelResponse Parcel, DateTimeOffset RecordedAt);

/// <summary>Asks Population, through the gateway like any consumer, whether an identity matches the register.</summary>
public sealed class PopulationClient(HttpClient http)
{
    /// <summary>The public-service code land declares when it verifies the parties of a transfer.</summary>
    public const string TransferPurpose = "land.transfer-registration";

    public async Task<(bool Matches, bool Alive)> VerifyAsync(PersonalId id, string fullName, DateOnly dateOfBirth, string officer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/population/identity-verifications")
        {
            Content = JsonContent.Create(new { personalId = id.Value, fullName, dateOfBirth }),
        };
        request.Headers.Add(HubHeaders.Purpose, TransferPurpose);
        request.Headers.Add(HubHeaders.Officer, officer);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<Verification>(cancellationToken)
            ?? throw new HttpRequestException("Population answered an empty verification.");
        return (answer.Matches, answer.Alive ?? false);
    }

    private sealed record Verification(bool Matches, bool? Alive);
}

public static class TransferApi
{
    /// <summary>The example's buyer: a made-up personal ID, built as population issues them.</summary>
    private static readonly string Buyer = PersonalId.Create("049", Sex.Male, 1995, 1234).Value;

    public static RouteGroupBuilder MapTransferApi(this RouteGroupBuilder api)
    {
        api.MapPost("/transfers", RecordTransfer)
            .WithHubOperation("land.record-transfer", personalData: true)
            .WithSummary("Record a transfer of a parcel's land-use right, once both parties' identities are verified against Population")
            .WithDescription("Land verifies the seller and the buyer with population (through the gateway, as the officer given in X-Lgsp-Officer), then "
                + "records the new owner (201, Location: the parcel). Refused: a parcel the register does not hold (404); one that awaits inheritance or changed "
                + "meanwhile (409); a seller who is not the owner, or a party whose name and date of birth do not match or who has died (422); population "
                + "not answering (503). Nothing is recorded when refused.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new TransferRequest(LandApi.Parcel.CommuneCode, LandApi.Parcel.MapSheet, LandApi.Parcel.ParcelNumber,
                new Party(LandApi.Parcel.OwnerPersonalId, LandApi.Parcel.OwnerName, new DateOnly(1988, 12, 20)),
                new Party(Buyer, "Trần Văn Bình", new DateOnly(1995, 7, 2))))
            .WithResponseExample(new TransferResponse(Guid.Parse("019ad2c4-9f10-7b22-8c01-5e6f7a8b9c0d"),
                LandApi.Parcel with { OwnerPersonalId = Buyer, OwnerName = "Trần Văn Bình" }, new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero)),
                StatusCodes.Status201Created);
        return api;
    }

    private static async Task<Results<Created<TransferResponse>, ValidationProblem, ProblemHttpResult>> RecordTransfer(
        TransferRequest request, [FromHeader(Name = HubHeaders.Officer)] string? officer,
        LandDb db, PopulationClient population, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.CommuneCode))
            errors.Add("communeCode", "The parcel's commune code is required.");
        if (request.MapSheet is not > 0)
            errors.Add("mapSheet", "The map sheet number is required.");
        if (request.ParcelNumber is not > 0)
            errors.Add("parcelNumber", "The parcel number is required.");
        var from = ValidateParty(errors, "from", request.From);
        var to = ValidateParty(errors, "to", request.To);
        if (from is not null && to is not null && from.Value.Id == to.Value.Id)
            errors.Add("to.personalId", "A parcel cannot be transferred to its own owner.");
        if (errors.Any)
            return errors.Problem();

        var parcel = await db.Parcels.SingleOrDefaultAsync(
            p => p.CommuneCode == request.CommuneCode && p.MapSheet == request.MapSheet && p.ParcelNumber == request.ParcelNumber, cancellationToken);
        if (parcel is null)
            return ApiProblems.NotFound("No parcel has this commune, map sheet and parcel number.");
        if (parcel.InheritanceDossierId is not null)
            return Refused(StatusCodes.Status409Conflict, "The owner has died: the parcel awaits inheritance and cannot be transferred.");
        if (parcel.OwnerPersonalId != from!.Value.Id)
            return Refused(StatusCodes.Status422UnprocessableEntity, "The seller is not the parcel's recorded owner.");

        try
        {
            foreach (var (role, party) in new[] { ("seller", from.Value), ("buyer", to!.Value) })
            {
                // The officer who registers the transfer is the one on whose behalf the parties are verified.
                var (matches, alive) = await population.VerifyAsync(party.Id, party.Name, party.DateOfBirth, officer ?? "land-office", cancellationToken);
                if (!matches)
                    return Refused(StatusCodes.Status422UnprocessableEntity, $"The {role}'s name and date of birth do not match the population register.");
                if (!alive)
                    return Refused(StatusCodes.Status422UnprocessableEntity, $"The {role} is recorded as deceased.");
            }
        }
        // Polly's rejections cover its timeout and open circuit; the gateway may also answer with an error or garbage.
        catch (Exception e) when (e is HttpRequestException or Polly.ExecutionRejectedException or System.Text.Json.JsonException)
        {
            return Refused(StatusCodes.Status503ServiceUnavailable, "Population could not verify the parties right now; nothing was recorded. Try again later.");
        }

        var transfer = new Transfer
        {
            Id = Guid.CreateVersion7(),
            CommuneCode = parcel.CommuneCode,
            MapSheet = parcel.MapSheet,
            ParcelNumber = parcel.ParcelNumber,
            FromPersonalId = from.Value.Id,
            ToPersonalId = to.Value.Id,
            RecordedAt = clock.GetUtcNow(),
        };
        parcel.OwnerPersonalId = to.Value.Id;
        parcel.OwnerName = to.Value.Name;
        parcel.OwnerNameAsOf = transfer.RecordedAt;
        parcel.Version++;
        db.Transfers.Add(transfer);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Refused(StatusCodes.Status409Conflict, "The parcel changed while the parties were being verified; nothing was recorded. Try again.");
        }

        var location = $"/api/{LandApi.Agency}/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}";
        return TypedResults.Created(location, new TransferResponse(transfer.Id, ParcelResponse.From(parcel), transfer.RecordedAt));
    }

    private static (PersonalId Id, string Name, DateOnly DateOfBirth)? ValidateParty(FieldErrors errors, string role, Party? party)
    {
        var id = errors.RequirePersonalId($"{role}.personalId", party?.PersonalId);
        errors.RequireName($"{role}.fullName", party?.FullName);
        if (party?.DateOfBirth is null)
            errors.Add($"{role}.dateOfBirth", "A date of birth (yyyy-MM-dd) is required.");
        return id is { } valid && party?.FullName is { } name && party.DateOfBirth is { } born ? (valid, name.Trim(), born) : null;
    }

    private static ProblemHttpResult Refused(int status, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: "Transfer refused");
}
