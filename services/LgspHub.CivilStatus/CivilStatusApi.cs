using LgspHub.CivilStatus.Dossiers;
using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.CivilStatus;

public static class CivilStatusApi
{
    public const string Agency = "civil-status";

    public static IEndpointRouteBuilder MapCivilStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi($"/api/{Agency}/openapi/{{documentName}}.json");
        var api = app.MapGroup($"/api/{Agency}").WithTags("Civil status");

        api.MapGet("/registrations/{number}", GetRegistration)
            .WithHubOperation("civil-status.read-registration", personalData: true)
            .WithSummary("Read a birth or death registration by its registration number")
            .WithDescription("A registration of the civil-status register by its number (KS- for births, KT- for deaths, then commune, year and serial): "
                + "its kind, subject, event date, registration date and commune. A number the register does not hold is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(Registration);
        api.MapGet("/people/{personalId}/registrations", GetRegistrationsOfPerson)
            .WithHubOperation("civil-status.registrations-of-person", personalData: true)
            .WithSummary("List the registrations whose subject is this citizen")
            .WithDescription("Every birth and death registration whose subject has this personal ID, oldest event first; none is an empty list. "
                + "A personal ID that is not 12 digits is a 400.")
            .WithResponseExample(new[] { Registration });
        api.MapDossierApi();
        return app;
    }

    private static readonly RegistrationResponse Registration = new(
        "KS-20401-2026-000042", RegistrationKind.Birth, PersonalId.Create("049", Sex.Male, 2026, 141).Value, "Lê Minh Khang", new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21), "20401");

    private static async Task<Results<Ok<RegistrationResponse>, ProblemHttpResult>> GetRegistration(
        string number, CivilStatusDb db, CancellationToken cancellationToken)
    {
        var registration = await db.Registrations.AsNoTracking().SingleOrDefaultAsync(r => r.Number == number, cancellationToken);
        return registration is null
            ? ApiProblems.NotFound("No registration has this number.")
            : TypedResults.Ok(RegistrationResponse.From(registration));
    }

    private static async Task<Results<Ok<RegistrationResponse[]>, ValidationProblem>> GetRegistrationsOfPerson(
        string personalId, CivilStatusDb db, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(personalId, out var id))
            return ApiProblems.InvalidPersonalId();
        var registrations = await db.Registrations.AsNoTracking()
            .Where(r => r.SubjectPersonalId == id)
            .OrderBy(r => r.EventDate)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(registrations.Select(RegistrationResponse.From).ToArray());
    }
}

public sealed record RegistrationResponse(
    string Number, RegistrationKind Kind, string? SubjectPersonalId, string SubjectName, DateOnly EventDate, DateOnly RegisteredOn, string CommuneCode)
{
    public static RegistrationResponse From(Registration r) =>
        new(r.Number, r.Kind, r.SubjectPersonalId?.Value, r.SubjectName, r.EventDate, r.RegisteredOn, r.CommuneCode);
}
