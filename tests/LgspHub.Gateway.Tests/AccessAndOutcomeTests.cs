using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using LgspHub.Gateway.Transactions;
using Yarp.ReverseProxy.Forwarder;

namespace LgspHub.Gateway.Tests;

public class AccessAndOutcomeTests
{
    [Theory]
    [InlineData("*", "population.read-citizen", true)]
    [InlineData("*", "lgsp.read-audit", false)]
    [InlineData("lgsp.*", "lgsp.read-audit", true)]
    [InlineData("lgsp.read-audit", "lgsp.read-audit", true)]
    [InlineData("land.*", "land.record-transfer", true)]
    [InlineData("land.*", "landing.anything", false)]
    [InlineData("population.verify-identity", "population.read-citizen", false)]
    public void Rights_are_deny_by_default_and_a_wildcard_never_covers_the_hub_s_own_records(string right, string operation, bool allowed)
    {
        Assert.Equal(allowed, new ConsumerSystem { Rights = [right] }.Allows(operation));
    }

    [Fact]
    public void A_consumer_with_no_rights_may_call_nothing()
    {
        Assert.False(new ConsumerSystem().Allows("population.verify-identity"));
    }

    [Theory]
    [InlineData(200, 200, null, Outcome.Succeeded, null)]
    [InlineData(404, 404, null, Outcome.Succeeded, "agency_404")]
    [InlineData(503, 503, null, Outcome.Failed, "agency_503")]
    [InlineData(502, null, ForwarderError.Request, Outcome.Failed, "agency_unreachable")]
    [InlineData(504, null, ForwarderError.RequestTimedOut, Outcome.Failed, "agency_timeout")]
    [InlineData(200, 200, ForwarderError.ResponseBodyDestination, Outcome.Failed, "agency_broken_answer")]
    [InlineData(400, null, ForwarderError.RequestBodyClient, Outcome.Rejected, "client_error")]
    [InlineData(401, null, null, Outcome.Rejected, "unauthorized")]
    [InlineData(403, null, null, Outcome.Rejected, "forbidden")]
    [InlineData(429, null, null, Outcome.Rejected, "rate_limited")]
    [InlineData(404, null, null, Outcome.Rejected, "no_route")]
    [InlineData(500, null, null, Outcome.Failed, "gateway_500")]
    public void Outcomes_follow_the_brief(int gatewayStatus, int? backendStatus, ForwarderError? error, Outcome outcome, string? fault)
    {
        Assert.Equal((outcome, fault), TransactionRecorder.Classify(gatewayStatus, backendStatus, error));
    }

    [Theory]
    [InlineData(502, null, ForwarderError.RequestCanceled, false)]        // gone while the agency was asked
    [InlineData(400, null, ForwarderError.RequestBodyCanceled, false)]    // gone while sending its body
    [InlineData(200, 200, ForwarderError.ResponseBodyCanceled, false)]    // gone while the answer was passed on
    [InlineData(200, 200, ForwarderError.ResponseBodyClient, false)]
    [InlineData(400, null, ForwarderError.RequestBodyClient, true)]       // its body cut off because it went away
    [InlineData(499, null, null, true)]                                   // ASP.NET's answer to a request its caller cancelled
    [InlineData(400, null, null, true)]                                   // the gateway's own endpoint gave up reading a body
    public void A_request_its_client_abandoned_is_neither_rejected_nor_failed(int gatewayStatus, int? backendStatus, ForwarderError? error, bool clientGone)
    {
        Assert.Equal((Outcome.Abandoned, TransactionRecorder.ClientClosed), TransactionRecorder.Classify(gatewayStatus, backendStatus, error, clientGone));
    }

    [Theory]
    [InlineData(503, 503, null, Outcome.Failed, "agency_503")]                       // the agency had failed already
    [InlineData(504, null, ForwarderError.RequestTimedOut, Outcome.Failed, "agency_timeout")]
    [InlineData(200, 200, null, Outcome.Succeeded, null)]                              // it had its whole answer
    [InlineData(500, null, null, Outcome.Failed, "gateway_500")]                       // the hub had failed already
    public void A_failure_or_an_answer_before_the_client_went_away_stays_what_it_was(int gatewayStatus, int? backendStatus, ForwarderError? error, Outcome outcome, string? fault)
    {
        Assert.Equal((outcome, fault), TransactionRecorder.Classify(gatewayStatus, backendStatus, error, clientGone: true));
    }
}
