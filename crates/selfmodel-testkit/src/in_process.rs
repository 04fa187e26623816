//! The grant flow in process, on a `Selfmodel` the test holds, as the HTTP server runs it: for
//! the tests of the use cases, the server and the CLI that script a vendor without a socket.

use selfmodel::{GrantAsk, PollOutcome, Selfmodel};
use selfmodel_core::Narrowing;

/// Files `ask`, approves it as asked and claims its bearer token.
pub fn pair(model: &mut Selfmodel, ask: GrantAsk) -> String {
    let issued = model.request_grant(ask, None).unwrap();
    model
        .approve_request(&issued.request.id, &Narrowing::default(), "test")
        .unwrap();
    match model
        .poll_grant(&selfmodel::Credential::native(&issued.poll_secret))
        .unwrap()
    {
        PollOutcome::Approved { token, .. } => token.as_str().to_owned(),
        _ => panic!("not approved"),
    }
}
