/**
 * Bucket names, by the rules of Storj's satellite (satellite/metainfo validation.go, which are S3's for new
 * buckets): 3 to 63 characters; labels separated by '.', each non-empty, made of lowercase letters, digits
 * and '-', starting and ending with a letter or digit; and not an IPv4 address. The satellite applies them
 * to bucket creation (and only the length to every other request); the gateway checks the same rules before
 * asking, to answer S3's InvalidBucketName.
 */

const MIN_BUCKET_NAME_LENGTH = 3;
export const MAX_BUCKET_NAME_LENGTH = 63;

// Storj's ipRegexp: four decimal octets 0-255 without leading zeros.
const OCTET = '(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Why no bucket can have this name, judging only its length (Storj's validateBucketNameLength): for requests
 * that name an existing bucket. Undefined when the length is right.
 */
export function bucketNameLengthProblem(name: string): string | undefined {
  if (name.length === 0) return 'bucket name is required';
  if (name.length < MIN_BUCKET_NAME_LENGTH || name.length > MAX_BUCKET_NAME_LENGTH) {
    return `bucket name is ${name.length} characters; it must be ${MIN_BUCKET_NAME_LENGTH} to ${MAX_BUCKET_NAME_LENGTH}`;
  }
  return undefined;
}

/** Why a new bucket cannot have this name, or undefined when it can. */
export function bucketNameProblem(name: string): string | undefined {
  const length = bucketNameLengthProblem(name);
  if (length) return length;
  const bad = (why: string) => `invalid bucket name ${JSON.stringify(name)}: ${why}`;
  for (const label of name.split('.')) {
    if (label === '') return bad('labels between dots must not be empty');
    if (!LABEL.test(label)) return bad('labels are lowercase letters, digits and "-", and start and end with a letter or digit');
  }
  if (IPV4.test(name)) return bad('must not be an IP address');
  return undefined;
}
