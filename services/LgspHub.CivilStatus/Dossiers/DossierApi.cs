using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.Seeding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LgspHub.CivilStatus.Dossiers;

public static class DossierApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapDossierApi(this RouteGroupBuilder api)
    {
        api.MapPost("/birth-dossiers", SubmitBirth)
            .WithSummary("Declare a birth once: birth registration, personal ID and residence, and a child's health-insurance card follow");
        api.MapPost("/death-dossiers", SubmitDeath)
            .WithSummary("Declare a death once: death registration, residence removal, card end, funeral allowance and inheritance flag follow");
        api.MapGet("/dossiers/{id:guid}", GetDossier)
            .WithName("GetDossier")
            .WithSummary("A dossier's state and each step: agency, state, time, result or reason");
        api.MapGet("/dossiers", ListDossiers)
            .WithSummary("Recent dossiers, newest first, optionally of one state");
        api.MapGet("/dossiers/statistics", Statistics)
            .WithSummary("Dossiers by kind and state, and the share completed before their deadline");
        return api;
    }

    private static async Task<Results<Accepted<DossierAccepted>, ValidationProblem>> SubmitBirth(
        BirthDossierRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        CivilStatusDb db, TimeProvider clock, IOptions<DossierOptions> options, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ValidateIdempotencyKey(errors, idempotencyKey);
        var child = request.Child;
        errors.RequireName("child.fullName", child?.FullName);
        if (child?.Sex is null)
            errors.Add("child.sex", "The child's sex is required (Male or Female).");
        errors.RequirePastDate("child.dateOfBirth", child?.DateOfBirth, clock);
        if (string.IsNullOrWhiteSpace(child?.PlaceOfBirth))
            errors.Add("child.placeOfBirth", "The place of birth is required.");
        var mother = errors.RequirePersonalId("motherPersonalId", request.MotherPersonalId);
        PersonalId? father = request.FatherPersonalId is null ? null : errors.RequirePersonalId("fatherPersonalId", request.FatherPersonalId);
        if (father is not null && father == mother)
            errors.Add("fatherPersonalId", "The father and the mother cannot have the same personal ID.");
        if (request.Residence?.CommuneCode is not { } commune || SyntheticProvince.FindCommune(commune) is null)
            errors.Add("residence.communeCode", $"The residence must be a commune of {SyntheticProvince.HubProvince}.");
        if (string.IsNullOrWhiteSpace(request.Residence?.Street))
            errors.Add("residence.street", "The residence street or hamlet is required.");
        if (errors.Any)
            return errors.Problem();

        var id = Guid.CreateVersion7();
        var declared = new BirthDeclared(id, child!.FullName!.Trim(), child.Sex!.Value, child.DateOfBirth!.Value, child.PlaceOfBirth!.Trim(),
            mother!.Value, father, new ResidenceAddress(request.Residence!.CommuneCode!, request.Residence.Street!.Trim()));
        return await Accept(db, DossierKind.Birth, declared, id, idempotencyKey, clock, options.Value, cancellationToken);
    }

    private static async Task<Results<Accepted<DossierAccepted>, ValidationProblem>> SubmitDeath(
        DeathDossierRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        CivilStatusDb db, TimeProvider clock, IOptions<DossierOptions> options, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ValidateIdempotencyKey(errors, idempotencyKey);
        var deceased = errors.RequirePersonalId("deceasedPersonalId", request.DeceasedPersonalId);
        errors.RequirePastDate("dateOfDeath", request.DateOfDeath, clock);
        if (string.IsNullOrWhiteSpace(request.PlaceOfDeath))
            errors.Add("placeOfDeath", "The place of death is required.");
        if (errors.Any)
            return errors.Problem();

        var id = Guid.CreateVersion7();
        var declared = new DeathDeclared(id, deceased!.Value, request.DateOfDeath!.Value, request.PlaceOfDeath!.Trim());
        return await Accept(db, DossierKind.Death, declared, id, idempotencyKey, clock, options.Value, cancellationToken);
    }

    private static async Task<Accepted<DossierAccepted>> Accept<T>(CivilStatusDb db, DossierKind kind, T declared, Guid id,
        string? idempotencyKey, TimeProvider clock, DossierOptions options, CancellationToken cancellationToken)
        where T : class
    {
        if (idempotencyKey is not null && await db.Dossiers.AsNoTracking().SingleOrDefaultAsync(d => d.IdempotencyKey == idempotencyKey, cancellationToken) is { } earlier)
            return Accepted(earlier);

        var dossier = Dossier.Submit(kind, id, JsonSerializer.Serialize(declared, DossierJson.Options), idempotencyKey, clock.GetUtcNow(), options.DeadlineFor(kind));
        db.Dossiers.Add(dossier);
        db.PublishOnCommit(declared);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The same key submitted twice at once: the other request won; answer with its dossier.
            db.ChangeTracker.Clear();
            return Accepted(await db.Dossiers.AsNoTracking().SingleAsync(d => d.IdempotencyKey == idempotencyKey, cancellationToken));
        }
        return Accepted(dossier);
    }

    private static Accepted<DossierAccepted> Accepted(Dossier dossier)
    {
        var statusUrl = $"/api/{CivilStatusApi.Agency}/dossiers/{dossier.Id}";
        return TypedResults.Accepted(statusUrl, new DossierAccepted(dossier.Id, dossier.Kind, statusUrl, dossier.Deadline));
    }

    private static void ValidateIdempotencyKey(FieldErrors errors, string? key)
    {
        if (key is not null && (key.Length is 0 or > 100 || key.Any(char.IsControl)))
            errors.Add(IdempotencyHeader, "An Idempotency-Key has 1 to 100 printable characters.");
    }

    private static async Task<Results<Ok<DossierResponse>, ProblemHttpResult>> GetDossier(Guid id, CivilStatusDb db, CancellationToken cancellationToken)
    {
        var dossier = await db.Dossiers.AsNoTracking().Include(d => d.Steps).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        return dossier is null ? ApiProblems.NotFound("No dossier has this id.") : TypedResults.Ok(DossierResponse.From(dossier));
    }

    private static async Task<Results<Ok<DossierResponse[]>, ValidationProblem>> ListDossiers(
        CivilStatusDb db, DossierState? state, int? limit, CancellationToken cancellationToken)
    {
        if (state is { } wanted && !Enum.IsDefined(wanted))
            return ApiProblems.Invalid("state", $"A state is one of {string.Join(", ", Enum.GetNames<DossierState>())}.");
        var query = db.Dossiers.AsNoTracking().Include(d => d.Steps).AsQueryable();
        if (state is not null)
            query = query.Where(d => d.State == state);
        var dossiers = await query.OrderByDescending(d => d.SubmittedAt).Take(Math.Clamp(limit ?? 50, 1, 500)).ToListAsync(cancellationToken);
        return TypedResults.Ok(dossiers.Select(DossierResponse.From).ToArray());
    }

    private static async Task<Ok<DossierStatistics[]>> Statistics(CivilStatusDb db, CancellationToken cancellationToken)
    {
        var rows = await db.Dossiers.GroupBy(d => d.Kind).Select(g => new DossierStatistics(
            g.Key,
            g.Count(),
            g.Count(d => d.State == DossierState.InProgress),
            g.Count(d => d.State == DossierState.Completed),
            g.Count(d => d.State == DossierState.Rejected),
            g.Count(d => d.State == DossierState.Failed),
            g.Count(d => d.OnTime == true))).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.ToArray());
    }
}

public sealed record ChildRequest(string? FullName, Sex? Sex, DateOnly? DateOfBirth, string? PlaceOfBirth);

public sealed record ResidenceRequest(string? CommuneCode, string? Street);

public sealed record BirthDossierRequest(ChildRequest? Child, string? MotherPersonalId, string? FatherPersonalId, ResidenceRequest? Residence);

public sealed record DeathDossierRequest(string? DeceasedPersonalId, DateOnly? DateOfDeath, string? PlaceOfDeath);

public sealed record DossierAccepted(Guid DossierId, DossierKind Kind, string StatusUrl, DateTimeOffset Deadline);

public sealed record StepResponse(string Name, string Agency, StepState State, DateTimeOffset? UpdatedAt, string? Result, string? Problem);

public sealed record DossierResponse(
    Guid Id, DossierKind Kind, DossierState State, string? Reason, DateTimeOffset SubmittedAt, DateTimeOffset Deadline,
    DateTimeOffset? EndedAt, bool? OnTime, string? RegistrationNumber, StepResponse[] Steps)
{
    public static DossierResponse From(Dossier d) => new(
        d.Id, d.Kind, d.State, d.Reason, d.SubmittedAt, d.Deadline, d.EndedAt, d.OnTime, d.RegistrationNumber,
        d.Steps.OrderBy(s => s.Order).Select(s => new StepResponse(s.Name, s.Agency, s.State, s.UpdatedAt, s.Result, s.Problem)).ToArray());
}

/// <param name="OnTimeShare">Completed before the deadline, over all completed; null before the first completes.</param>
public sealed record DossierStatistics(DossierKind Kind, int Submitted, int InProgress, int Completed, int Rejected, int Failed, int CompletedOnTime)
{
    public double? OnTimeShare => Completed == 0 ? null : (double)CompletedOnTime / Completed;
}
