using System.Security.Cryptography;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Seeding;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LgspHub.CivilStatus.Dossiers;

public static class DossierApi
{
    public const string IdempotencyHeader = HubHeaders.IdempotencyKey;

    public static RouteGroupBuilder MapDossierApi(this RouteGroupBuilder api)
    {
        api.MapPost("/birth-dossiers", SubmitBirth)
            .WithHubOperation("civil-status.submit-birth-dossier", personalData: true)
            .WithSummary("Declare a birth once: birth registration, personal ID and residence, and a child's health-insurance card follow")
            .WithDescription("The interlinked birth procedure: population verifies the parents, civil status registers the birth, population issues the "
                + "child's personal ID and registers the residence, health insurance issues the child's card. Accepted at once (202, Location: the dossier); "
                + "follow it at statusUrl until its state is Completed, Rejected or Failed. Send an Idempotency-Key to retry safely.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithRequestExample(BirthExample)
            .WithResponseExample(AcceptedExample(DossierKind.Birth), StatusCodes.Status202Accepted);
        api.MapPost("/death-dossiers", SubmitDeath)
            .WithHubOperation("civil-status.submit-death-dossier", personalData: true)
            .WithSummary("Declare a death once: death registration, residence removal, card end, funeral allowance and inheritance flag follow")
            .WithDescription("The interlinked death procedure: population verifies the deceased, civil status registers the death, population removes the "
                + "permanent residence, land flags the deceased's parcels for inheritance, health insurance ends the card and decides the funeral allowance. "
                + "Accepted at once (202, Location: the dossier); follow it at statusUrl. Send an Idempotency-Key to retry safely.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithRequestExample(new DeathDossierRequest(PersonalId.Create("049", Sex.Female, 1950, 2468).Value, new DateOnly(2026, 11, 28), "Bệnh viện Đa khoa Quảng Nam"))
            .WithResponseExample(AcceptedExample(DossierKind.Death), StatusCodes.Status202Accepted);
        api.MapGet("/dossiers/{id:guid}", GetDossier)
            .WithName("GetDossier")
            .WithHubOperation("civil-status.read-dossier", personalData: true)
            .WithSummary("A dossier's state and each step: agency, state, time, result or reason")
            .WithDescription("The dossier's state (InProgress until every step is done; then Completed, or Rejected or Failed with the reason), its "
                + "deadline and whether it was met, and each step with its agency, state, result in words and outputs as fields "
                + "(registration number, personal ID, card number, allowance). An id no dossier has is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(CompletedBirth);
        api.MapGet("/dossiers", ListDossiers)
            .WithHubOperation("civil-status.list-dossiers", personalData: true)
            .WithSummary("Recent dossiers, newest first, optionally of one state")
            .WithDescription("At most limit dossiers (1 to 500; 50 when not given), newest first, of one state when state is given.")
            .WithResponseExample(new[] { CompletedBirth });
        api.MapGet("/dossiers/statistics", Statistics)
            .WithHubOperation("civil-status.dossier-statistics", personalData: false)
            .WithSummary("Dossiers by kind and state, and the share completed before their deadline")
            .WithDescription("Counts only, no person: dossiers submitted, in progress, completed, rejected and failed per kind, and how many completed on time.")
            .WithResponseExample(new[] { new DossierStatistics(DossierKind.Birth, 120, 3, 114, 2, 1, 110) });
        return api;
    }

    private static readonly BirthDossierRequest BirthExample = new(
        new ChildRequest("Lê Minh Khang", Sex.Male, new DateOnly(2026, 11, 20), "Bệnh viện Đa khoa Quảng Nam"), PersonalId.Create("049", Sex.Female, 1988, 309_340).Value, null, new ResidenceRequest("20401", "45 Trần Phú"));

    private static readonly Guid ExampleId = Guid.Parse("019ad2c4-7c3e-7d41-9a55-3f2b8e1c6d70");

    private static readonly DateTimeOffset ExampleAt = new(2026, 11, 21, 8, 30, 0, TimeSpan.Zero);

    private static DossierAccepted AcceptedExample(DossierKind kind) =>
        new(ExampleId, kind, $"/api/{CivilStatusApi.Agency}/dossiers/{ExampleId}", ExampleAt + new DossierOptions().DeadlineFor(kind));

    /// <summary>The example child's personal ID: made up, built as population issues them.</summary>
    private static readonly string ExampleChild = PersonalId.Create("049", Sex.Male, 2026, 141).Value;

    private static readonly DossierResponse CompletedBirth = new(
        ExampleId, DossierKind.Birth, DossierState.Completed, null, ExampleAt, ExampleAt + new DossierOptions().DeadlineFor(DossierKind.Birth), ExampleAt.AddSeconds(2), true, "KS-20401-2026-000042",
        [
            new("parents-verification", "population", StepState.Completed, ExampleAt.AddMilliseconds(300), "The mother is in the register and alive.", null, null),
            new("birth-registration", "civil-status", StepState.Completed, ExampleAt.AddMilliseconds(600), "Birth registered as KS-20401-2026-000042.",
                new StepOutputs { RegistrationNumber = "KS-20401-2026-000042" }, null),
            new("personal-id-and-residence", "population", StepState.Completed, ExampleAt.AddSeconds(1), $"Personal ID {ExampleChild} issued; permanent residence registered.",
                new StepOutputs { PersonalId = ExampleChild }, null),
            new("health-insurance-card", "health-insurance", StepState.Completed, ExampleAt.AddSeconds(2), "Card TE1490226000141 issued.",
                new StepOutputs { CardIssued = true, CardNumber = "TE1490226000141" }, null),
        ]);

    private static async Task<Results<Accepted<DossierAccepted>, ValidationProblem, ProblemHttpResult>> SubmitBirth(
        BirthDossierRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, [FromHeader(Name = HubHeaders.Consumer)] string? consumer,
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

        var residence = new ResidenceAddress(request.Residence!.CommuneCode!, request.Residence.Street!.Trim());
        return await Accept(db, DossierKind.Birth,
            id => new BirthDeclared(id, child!.FullName!.Trim(), child.Sex!.Value, child.DateOfBirth!.Value, child.PlaceOfBirth!.Trim(), mother!.Value, father, residence),
            new Submission(consumer, idempotencyKey), clock, options.Value, cancellationToken);
    }

    private static async Task<Results<Accepted<DossierAccepted>, ValidationProblem, ProblemHttpResult>> SubmitDeath(
        DeathDossierRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, [FromHeader(Name = HubHeaders.Consumer)] string? consumer,
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

        return await Accept(db, DossierKind.Death,
            id => new DeathDeclared(id, deceased!.Value, request.DateOfDeath!.Value, request.PlaceOfDeath!.Trim()),
            new Submission(consumer, idempotencyKey), clock, options.Value, cancellationToken);
    }

    /// <summary>Who submitted, and the key under which a retry finds the same dossier.</summary>
    private sealed record Submission(string? Consumer, string? IdempotencyKey)
    {
        /// <summary>Keys are the consumer's own: a call that did not come through the gateway has none, and shares one scope.</summary>
        public string Scope => Consumer ?? "";
    }

    /// <param name="declare">The declaration's event for a dossier id: built once with the new id, and once without it for its hash.</param>
    private static async Task<Results<Accepted<DossierAccepted>, ValidationProblem, ProblemHttpResult>> Accept<T>(
        CivilStatusDb db, DossierKind kind, Func<Guid, T> declare, Submission submission, TimeProvider clock, DossierOptions options,
        CancellationToken cancellationToken)
        where T : class
    {
        var hash = DeclarationHash(declare(Guid.Empty));
        if (submission.IdempotencyKey is { } key && await FindAsync(db, submission.Scope, kind, key, cancellationToken) is { } earlier)
            return Retried(earlier, hash);

        var id = Guid.CreateVersion7();
        var declared = declare(id);
        var dossier = Dossier.Submit(kind, id, JsonSerializer.Serialize(declared, DossierJson.Options), hash, submission.Scope,
            submission.IdempotencyKey, clock.GetUtcNow(), options.DeadlineFor(kind));
        db.Dossiers.Add(dossier);
        db.PublishOnCommit(declared);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (submission.IdempotencyKey is { } raced)
        {
            // The same key submitted twice at once: the other request won; answer as to any retry.
            db.ChangeTracker.Clear();
            return Retried(await FindAsync(db, submission.Scope, kind, raced, cancellationToken)
                ?? throw new InvalidOperationException("A dossier's save failed, and no other dossier holds its Idempotency-Key."), hash);
        }
        return Accepted(dossier);
    }

    private static Task<Dossier?> FindAsync(CivilStatusDb db, string scope, DossierKind kind, string key, CancellationToken cancellationToken) =>
        db.Dossiers.AsNoTracking().SingleOrDefaultAsync(d => d.Consumer == scope && d.Kind == kind && d.IdempotencyKey == key, cancellationToken);

    /// <summary>
    /// A retry gets the dossier its key made; the key reused for another declaration is refused (422, as the
    /// IETF Idempotency-Key draft has it), since answering with the first dossier would drop the second silently.
    /// </summary>
    private static Results<Accepted<DossierAccepted>, ValidationProblem, ProblemHttpResult> Retried(Dossier earlier, string hash) =>
        earlier.DeclarationHash == hash
            ? Accepted(earlier)
            : TypedResults.Problem(
                $"This {IdempotencyHeader} was already used for a different declaration; send a new key for a new declaration.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: $"{IdempotencyHeader} reused");

    /// <summary>SHA-256 of the declaration as validated and trimmed (its contract event without the dossier id): what "the same body" means.</summary>
    private static string DeclarationHash<T>(T canonical) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(canonical, DossierJson.Options)));

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

public sealed record StepResponse(string Name, string Agency, StepState State, DateTimeOffset? UpdatedAt, string? Result, StepOutputs? Outputs, string? Problem);

public sealed record DossierResponse(
    Guid Id, DossierKind Kind, DossierState State, string? Reason, DateTimeOffset SubmittedAt, DateTimeOffset Deadline,
    DateTimeOffset? EndedAt, bool? OnTime, string? RegistrationNumber, StepResponse[] Steps)
{
    public static DossierResponse From(Dossier d) => new(
        d.Id, d.Kind, d.State, d.Reason, d.SubmittedAt, d.Deadline, d.EndedAt, d.OnTime, d.RegistrationNumber,
        d.Steps.OrderBy(s => s.Order).Select(s => new StepResponse(s.Name, s.Agency, s.State, s.UpdatedAt, s.Result, s.Outputs, s.Problem)).ToArray());
}

/// <param name="OnTimeShare">Completed before the deadline, over all completed; null before the first completes.</param>
public sealed record DossierStatistics(DossierKind Kind, int Submitted, int InProgress, int Completed, int Rejected, int Failed, int CompletedOnTime)
{
    public double? OnTimeShare => Completed == 0 ? null : (double)CompletedOnTime / Completed;
}
