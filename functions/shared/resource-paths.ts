// Paths of the API's resources, as `Location` headers, CloudEvent `href`s and 409 problems name
// them. Relative to the API's base URL, so they hold for every deployment.

export const signalPath = (id: string) => `/v1/signals/${id}`;
export const referralPath = (id: string) => `/v1/referrals/${id}`;
