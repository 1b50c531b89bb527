using LgspHub.Contracts;
using LgspHub.Load.Running;

namespace LgspHub.Load.Tests;

public class ClassifyTests
{
    [Theory]
    [InlineData(200, 200, Outcome.Succeeded)]
    [InlineData(404, 404, Outcome.Succeeded)]    // the agency answered: not found is an answer
    [InlineData(422, 422, Outcome.Succeeded)]
    [InlineData(503, 503, Outcome.Failed)]       // the agency failed
    [InlineData(401, null, Outcome.Rejected)]    // the gateway refused
    [InlineData(429, null, Outcome.Rejected)]
    [InlineData(400, null, Outcome.Rejected)]
    [InlineData(504, null, Outcome.Failed)]      // the agency did not answer in time
    [InlineData(503, null, Outcome.Failed)]      // no healthy agency to send it to
    public void Outcomes_are_counted_as_the_gateway_counts_them(int status, int? agencyStatus, Outcome expected) =>
        Assert.Equal(expected, HubClient.Classify(status, agencyStatus).Outcome);
}
