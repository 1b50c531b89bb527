using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.HealthInsurance;

public static class HealthInsuranceApi
{
    public const string Agency = "health-insurance";

    /// <summary>The services the API needs beyond the agency's defaults.</summary>
    public static IHostApplicationBuilder AddHealthInsuranceApi(this IHostApplicationBuilder builder)
    {
        builder.AddAgencyOpenApi();
        builder.Services.AddSingleton<CheckInWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CheckInWriter>());
        return builder;
    }

    public static IEndpointRouteBuilder MapHealthInsuranceApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi($"/api/{Agency}/openapi/{{documentName}}.json");
        var api = app.MapGroup($"/api/{Agency}").WithTags("Health insurance");

        api.MapGet("/cards/{personalId}", CheckCard)
            .WithHubOperation("health-insurance.check-card", personalData: true)
            .WithSummary("Read a health-insurance card by its holder's personal ID")
            .WithDescription("The BHYT card linked to a personal ID: its number, holder, beneficiary group, validity, primary-care facility, and whether "
                + "it is valid today. A personal ID that is not 12 digits is a 400; one no card is linked to, a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(Card);
        api.MapPost("/check-ins", CheckIn)
            .WithHubOperation("health-insurance.check-in", personalData: true)
            .WithSummary("A hospital checks a patient in by personal ID (the CCCD replaces the paper card): is the visit covered?")
            .WithDescription("Records the check-in and answers whether the visit is covered, with the card and the reason: no card, an ended card or one "
                + "not valid today is not covered (still a 200); a facility other than the card's primary-care one is covered with referral rules.")
            .WithRequestExample(new CheckInRequest(Card.PersonalId, Card.PrimaryCareFacility))
            .WithResponseExample(new CheckInResponse(true, Card.CardNumber, Card.BeneficiaryGroup, "Covered at the registered primary-care facility."));
        return app;
    }

    /// <summary>The documents' example: a card of the default seed, so "try it" on the reference page finds it.</summary>
    private static readonly CardResponse Card = new("DN4499188309340", PersonalId.Create("049", Sex.Female, 1988, 309_340).Value, "Nguyễn Thị Trinh", new DateOnly(1988, 12, 20), "DN",
        new DateOnly(2026, 1, 1), new DateOnly(2035, 12, 31), "Bệnh viện Đa khoa tỉnh Quảng Nam", true, null);

    private static async Task<Results<Ok<CardResponse>, ValidationProblem, ProblemHttpResult>> CheckCard(
        string personalId, HealthInsuranceDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(personalId, out var id))
            return ApiProblems.InvalidPersonalId();
        var card = await db.Cards.AsNoTracking().SingleOrDefaultAsync(c => c.PersonalId == id, cancellationToken);
        if (card is null)
            return ApiProblems.NotFound("No health-insurance card is linked to this personal ID.");

        return TypedResults.Ok(new CardResponse(
            card.CardNumber, card.PersonalId.Value, card.HolderName, card.DateOfBirth, card.BeneficiaryGroup,
            card.ValidFrom, card.ValidTo, card.PrimaryCareFacility, card.IsValidOn(Today(clock)), card.TerminatedOn));
    }

    private static async Task<Results<Ok<CheckInResponse>, ValidationProblem>> CheckIn(
        CheckInRequest request, HealthInsuranceDb db, CheckInWriter writer, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var id = errors.RequirePersonalId("personalId", request.PersonalId);
        if (string.IsNullOrWhiteSpace(request.Facility))
            errors.Add("facility", "The facility checking the patient in is required.");
        if (errors.Any)
            return errors.Problem();

        var card = await db.Cards.AsNoTracking().SingleOrDefaultAsync(c => c.PersonalId == id!.Value, cancellationToken);
        var today = Today(clock);
        var (covered, reason) = card switch
        {
            null => (false, "No health-insurance card is linked to this personal ID."),
            { TerminatedOn: not null } => (false, "The card has ended."),
            _ when !card.IsValidOn(today) => (false, $"The card is valid from {card.ValidFrom:yyyy-MM-dd} to {card.ValidTo:yyyy-MM-dd}."),
            _ => (true, card.PrimaryCareFacility == request.Facility!.Trim()
                ? "Covered at the registered primary-care facility."
                : "Covered; the registered primary-care facility is another one, so referral rules apply."),
        };
        await writer.WriteAsync(new CheckIn { Id = Guid.CreateVersion7(), PersonalId = id!.Value, Facility = request.Facility!.Trim(), At = clock.GetUtcNow(), Covered = covered }, cancellationToken);
        return TypedResults.Ok(new CheckInResponse(covered, card?.CardNumber, card?.BeneficiaryGroup, reason));
    }

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

public sealed record CardResponse(
    string CardNumber, string PersonalId, string HolderName, DateOnly DateOfBirth, string BeneficiaryGroup,
    DateOnly ValidFrom, DateOnly ValidTo, string PrimaryCareFacility, bool ValidToday, DateOnly? TerminatedOn);

public sealed record CheckInRequest(string? PersonalId, string? Facility);

public sealed record CheckInResponse(bool Covered, string? CardNumber, string? BeneficiaryGroup, string Reason);
