using LgspHub.Contracts;
using LgspHub.Seeding;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Population;

public static class PopulationApi
{
    public const string Agency = "population";

    public static IEndpointRouteBuilder MapPopulationApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi($"/api/{Agency}/openapi/{{documentName}}.json");
        var api = app.MapGroup($"/api/{Agency}").WithTags("Population");

        api.MapGet("/citizens/{personalId}", GetCitizen)
            .WithHubOperation("population.read-citizen", personalData: true)
            .WithSummary("Read a citizen's record")
            .WithDescription("The national population register's record of one citizen by the 12-digit personal ID (CCCD): name, date of birth, sex, "
                + "permanent address, and whether the citizen is alive. A personal ID that is not 12 digits is a 400; one the register does not hold, a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(Examples.Citizen);
        api.MapPost("/identity-verifications", VerifyIdentity)
            .WithHubOperation("population.verify-identity", personalData: true)
            .WithSummary("Does this personal ID belong to this name and date of birth? Answers yes or no, never the record.")
            .WithDescription("Checks a personal ID, full name (case ignored) and date of birth against the register without disclosing the record: "
                + "matches is true only when all three agree, and only then does alive say whether the citizen is alive. An ID unknown to the register is not a 404 but a plain no.")
            .WithRequestExample(new VerificationRequest(Examples.Citizen.PersonalId, Examples.Citizen.FullName, Examples.Citizen.DateOfBirth))
            .WithResponseExample(new VerificationResponse(Matches: true, Alive: true));
        api.MapPatch("/citizens/{personalId}", UpdateCitizen)
            .WithHubOperation("population.update-citizen", personalData: true)
            .WithSummary("Correct a citizen's name or permanent address; agencies holding copies are told over the bus.")
            .WithDescription("Changes the fields given (a full name of at least two words; a permanent address in a commune of the hub's province) and "
                + "publishes CitizenDetailsChanged, which land and health insurance apply to the copies they keep. A deceased citizen's record cannot change (409).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample(new CitizenUpdate(null, new AddressUpdate("20401", "12 Nguyễn Thái Học")))
            .WithResponseExample(Examples.Citizen with { PermanentAddress = "12 Nguyễn Thái Học, Phường Minh An, Thành phố Hội An, Tỉnh Quảng Nam" });
        return app;
    }

    private static async Task<Results<Ok<CitizenResponse>, ValidationProblem, ProblemHttpResult>> GetCitizen(
        string personalId, PopulationDb db, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(personalId, out var id))
            return ApiProblems.InvalidPersonalId();
        var citizen = await db.Citizens.AsNoTracking().SingleOrDefaultAsync(c => c.PersonalId == id, cancellationToken);
        return citizen is null
            ? ApiProblems.NotFound("No citizen has this personal ID.")
            : TypedResults.Ok(CitizenResponse.From(citizen));
    }

    private static async Task<Results<Ok<VerificationResponse>, ValidationProblem>> VerifyIdentity(
        VerificationRequest request, PopulationDb db, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(request.PersonalId, out var id))
            return ApiProblems.InvalidPersonalId();
        if (string.IsNullOrWhiteSpace(request.FullName))
            return ApiProblems.Invalid("fullName", "A full name is required.");
        if (request.DateOfBirth is not { } dateOfBirth)
            return ApiProblems.Invalid("dateOfBirth", "A date of birth (yyyy-MM-dd) is required.");

        var citizen = await db.Citizens.AsNoTracking().SingleOrDefaultAsync(c => c.PersonalId == id, cancellationToken);
        var matches = citizen is not null
            && citizen.DateOfBirth == dateOfBirth
            && string.Equals(citizen.FullName, request.FullName.Trim(), StringComparison.OrdinalIgnoreCase);
        return TypedResults.Ok(new VerificationResponse(matches, Alive: matches ? citizen!.DateOfDeath is null : null));
    }

    private static async Task<Results<Ok<CitizenResponse>, ValidationProblem, ProblemHttpResult>> UpdateCitizen(
        string personalId, CitizenUpdate update, PopulationDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var id = errors.RequirePersonalId("personalId", personalId);
        if (update.FullName is not null)
            errors.RequireName("fullName", update.FullName);
        var commune = update.PermanentAddress is null ? null : SyntheticProvince.FindCommune(update.PermanentAddress.CommuneCode ?? "");
        if (update.PermanentAddress is not null && commune is null)
            errors.Add("permanentAddress.communeCode", $"The residence must be a commune of {SyntheticProvince.HubProvince}.");
        if (update.PermanentAddress is not null && string.IsNullOrWhiteSpace(update.PermanentAddress.Street))
            errors.Add("permanentAddress.street", "The street or hamlet is required.");
        if (errors.Any)
            return errors.Problem();

        var citizen = await db.Citizens.SingleOrDefaultAsync(c => c.PersonalId == id!.Value, cancellationToken);
        if (citizen is null)
            return ApiProblems.NotFound("No citizen has this personal ID.");
        if (citizen.DateOfDeath is not null)
            return TypedResults.Problem("The citizen is recorded as deceased; the record can no longer change.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");

        citizen.FullName = update.FullName?.Trim() ?? citizen.FullName;
        if (commune is not null)
        {
            citizen.PermanentAddress = $"{update.PermanentAddress!.Street!.Trim()}, {commune.Name}, {commune.District}, {commune.Province}";
            citizen.CommuneCode = commune.Code;
        }
        db.PublishOnCommit(new CitizenDetailsChanged(
            citizen.PersonalId, citizen.FullName, citizen.DateOfBirth, citizen.Sex, citizen.PermanentAddress ?? "", clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(CitizenResponse.From(citizen));
    }
}

/// <summary>The documents' examples: a citizen of the default seed, so "try it" on the reference page finds them.</summary>
internal static class Examples
{
    public static readonly CitizenResponse Citizen = new(
        PersonalId.Create("049", Sex.Female, 1988, 309_340).Value, "Nguyễn Thị Trinh", new DateOnly(1988, 12, 20), Sex.Female, "45 Trần Phú, Phường Minh An, Thành phố Hội An, Tỉnh Quảng Nam", true, null);
}

public sealed record VerificationRequest(string? PersonalId, string? FullName, DateOnly? DateOfBirth);

/// <param name="Alive">Told only when the identity matches.</param>
public sealed record VerificationResponse(bool Matches, bool? Alive);

public sealed record AddressUpdate(string? CommuneCode, string? Street);

public sealed record CitizenUpdate(string? FullName, AddressUpdate? PermanentAddress);

public sealed record CitizenResponse(
    string PersonalId, string FullName, DateOnly DateOfBirth, Sex Sex, string? PermanentAddress, bool Alive, DateOnly? DateOfDeath)
{
    public static CitizenResponse From(Citizen c) =>
        new(c.PersonalId.Value, c.FullName, c.DateOfBirth, c.Sex, c.PermanentAddress, c.DateOfDeath is null, c.DateOfDeath);
}
