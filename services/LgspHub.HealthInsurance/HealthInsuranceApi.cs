using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.HealthInsurance;

public static class HealthInsuranceApi
{
    public const string Agency = "health-insurance";

    public static IEndpointRouteBuilder MapHealthInsuranceApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi($"/api/{Agency}/openapi/{{documentName}}.json");
        var api = app.MapGroup($"/api/{Agency}").WithTags("Health insurance");

        api.MapGet("/cards/{personalId}", CheckCard)
            .WithSummary("Check a health-insurance card by its holder's personal ID, as a hospital does at check-in");
        return app;
    }

    private static async Task<Results<Ok<CardResponse>, ValidationProblem, ProblemHttpResult>> CheckCard(
        string personalId, HealthInsuranceDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(personalId, out var id))
            return ApiProblems.InvalidPersonalId();
        var card = await db.Cards.AsNoTracking().SingleOrDefaultAsync(c => c.PersonalId == id, cancellationToken);
        if (card is null)
            return ApiProblems.NotFound("No health-insurance card is linked to this personal ID.");

        var today = DateOnly.FromDateTime(clock.GetLocalNow().DateTime);
        var valid = card.TerminatedOn is null && card.ValidFrom <= today && today <= card.ValidTo;
        return TypedResults.Ok(new CardResponse(
            card.CardNumber, card.PersonalId.Value, card.HolderName, card.DateOfBirth, card.BeneficiaryGroup,
            card.ValidFrom, card.ValidTo, card.PrimaryCareFacility, valid, card.TerminatedOn));
    }
}

public sealed record CardResponse(
    string CardNumber, string PersonalId, string HolderName, DateOnly DateOfBirth, string BeneficiaryGroup,
    DateOnly ValidFrom, DateOnly ValidTo, string PrimaryCareFacility, bool ValidToday, DateOnly? TerminatedOn);
