using LgspHub.CivilStatus.Dossiers;
using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
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
            .WithSummary("Read a birth or death registration by its registration number");
        api.MapGet("/people/{personalId}/registrations", GetRegistrationsOfPerson)
            .WithSummary("List the registrations whose subject is this citizen");
        api.MapDossierApi();
        return app;
    }

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
