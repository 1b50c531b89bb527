namespace LgspHub.Contracts.Tests;

public sealed class OutcomeTests
{
    [Theory]
    [InlineData(200, 200, Outcome.Succeeded)]
    [InlineData(404, 404, Outcome.Succeeded)] // the agency answered: "no such citizen" is an answer
    [InlineData(422, 422, Outcome.Succeeded)]
    [InlineData(503, 503, Outcome.Failed)]
    [InlineData(500, 500, Outcome.Failed)]
    [InlineData(401, null, Outcome.Rejected)] // the gateway refused alone
    [InlineData(429, null, Outcome.Rejected)]
    [InlineData(502, null, Outcome.Failed)] // the gateway failed alone
    [InlineData(504, null, Outcome.Failed)]
    [InlineData(200, null, Outcome.Succeeded)] // the gateway's own endpoints
    public void An_answer_counts_by_who_gave_it_and_its_class(int status, int? agencyStatus, Outcome expected) =>
        Assert.Equal(expected, Outcomes.OfAnswer(status, agencyStatus));
}
